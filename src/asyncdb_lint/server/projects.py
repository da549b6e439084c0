"""The language server's view of the workspace, and what linting a buffer gives.

Each open file belongs to a project: the nearest `pyproject.toml` with a
`[tool.asyncdb-lint]` section, as for the CLI, or else the workspace folder
holding it. A project keeps its settings, its exclusions and one project index
(with the CLI's cache directory), so imports are answered across the
workspace's modules. Nothing here speaks the protocol (lsp.py does), and
nothing is a second implementation: the checker and the fix engine do the
work, on the buffer's text.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Tuple

from asyncdb_lint.files import SKIPPED_DIRECTORIES, Ignores
from asyncdb_lint.prefilter import for_settings as prefilter_for
from asyncdb_lint.results import FileResult, finish_project_rules
from asyncdb_lint.runner import FixMode, fix_source, index_salt, prepare
from asyncdb_lint.settings import Settings, SettingsError, find_config, load_settings
from asyncdb_lint.source import Source

if TYPE_CHECKING:
    from asyncdb_lint.index.project import ProjectIndex


class Project:
    """The files under one configuration."""

    def __init__(self, root: str, settings: Settings, error: Optional[str] = None, stray: bool = False):
        self.root = root
        self.settings = settings
        self.error = error  # why the configuration could not be read: the defaults are used
        # A file outside every workspace folder and configuration (a library's
        # source, opened from a traceback): it gets no cache directory of its own.
        self.stray = stray
        self.ignores = Ignores((*settings.exclude, *settings.extend_exclude), root, settings.respect_gitignore)
        self.prefilter = prefilter_for(settings)
        self._index: Optional["ProjectIndex"] = None

    def excluded(self, path: str) -> bool:
        """Whether a run over the project would skip ``path``: the same directories,
        exclude patterns and .gitignore files as the CLI's walk."""
        if self.stray:  # a library's source: under site-packages, .venv...
            return any(part in SKIPPED_DIRECTORIES for part in os.path.abspath(path).split(os.sep))
        return self.ignores.walk_skips(path, self.root)

    def index(self) -> "ProjectIndex":
        if self._index is None:
            from asyncdb_lint.index.project import ProjectIndex

            self._index = ProjectIndex(
                search_roots=[self.root, os.path.join(self.root, "src")], gate=self.prefilter.index_gate,
                cache_dir=None if self.stray else os.path.join(self.root, self.settings.cache_dir),
                salt=index_salt(self.settings),
            )
        return self._index

    def forget_files(self) -> None:
        """Files changed on disk: the next lint reads them again (the cache keeps
        what did not change). The prefilter's import graph and the index hold
        what they read."""
        self.prefilter = prefilter_for(self.settings)
        self._index = None

    # ------------------------------------------------------------ linting
    def lint(self, path: str, text: str) -> FileResult:
        """The findings in ``text``, the unsaved buffer of ``path``; the result keeps
        the parsed module and each finding's fix, for code actions."""
        from asyncdb_lint.checker import check_source

        prepare(self.settings)  # in-house names are process-wide: this project's, now
        index = self.index()
        result = check_source(Source(path, None, text, "utf-8"), self.settings, index, prefilter=self.prefilter)
        index.flush()
        finish_project_rules([result], self.settings, complete=False)
        return result

    def fix_all(self, path: str, text: str) -> str:
        """``text`` with every safe fix applied (what `--fix` would write)."""
        prepare(self.settings)
        index = self.index()
        _, fixed = fix_source(Source(path, None, text, "utf-8"), self.settings, index, FixMode(unsafe=False),
                              prefilter=self.prefilter)
        index.flush()
        return fixed.text


class Projects:
    """The workspace folders, and the project of each file in them (or outside them)."""

    def __init__(self) -> None:
        self._folders: List[str] = []
        self._projects: Dict[str, Project] = {}
        self._configs: Dict[str, Optional[str]] = {}  # directory -> its configuration file

    def set_folders(self, folders: Iterable[str]) -> None:
        # Nested folders: the innermost holding a file is its folder.
        self._folders = sorted({os.path.abspath(folder) for folder in folders}, key=len, reverse=True)
        self.reset()

    def reset(self) -> None:
        """A configuration or ignore file changed: everything is read again."""
        self._projects.clear()
        self._configs.clear()

    def forget_files(self) -> None:
        for project in self._projects.values():
            project.forget_files()

    def project_for(self, path: str) -> Tuple[Project, bool]:
        """The project of ``path``, and whether it is new (its configuration was just read)."""
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in self._configs:
            self._configs[directory] = find_config(directory)
        config = self._configs[directory]
        folder = next((f for f in self._folders if _within(directory, f)), None)
        key = config or folder or directory
        project = self._projects.get(key)
        if project is not None:
            return project, False
        if config is None:
            project = Project(key, Settings(root=key), stray=folder is None)
        else:
            try:
                settings = load_settings(config=config)
                project = Project(settings.root, settings)
            except SettingsError as error:
                root = os.path.dirname(config)
                project = Project(root, Settings(root=root), error=str(error))
        self._projects[key] = project
        return project, True


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
