"""The protocol side of `asyncdb-lint server` (LSP over stdio, with pygls).

Findings are published when a document opens, when it is saved, and as it is
edited, once typing pauses for DEBOUNCE_SECONDS. Code actions offer each
finding's fix, a `# noqa` for the line, and `source.fixAll.asyncdb-lint`.
projects.py does all the linting; this module turns its results into protocol
messages, and keeps the last good result of each open document.

Linting runs in one worker thread, so the protocol stays responsive during a
long lint, and only one lint runs at a time (the tables of in-house names that
a project's configuration installs are shared by the whole process).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from asyncdb_lint import __version__
from asyncdb_lint.add_noqa import NoqaPlacement
from asyncdb_lint.catalogue import BY_CODE
from asyncdb_lint.diagnostics import Diagnostic
from asyncdb_lint.fixes import edits_between, fix_edits
from asyncdb_lint.report import rule_url
from asyncdb_lint.results import FileResult
from asyncdb_lint.server.projects import Project, Projects
from asyncdb_lint.source import split_lines

NAME = "asyncdb-lint"
DEBOUNCE_SECONDS = 0.3
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{NAME}"
# What the server must hear about when it changes on disk, besides the open documents.
WATCHED = ("**/*.py", "**/*.pyi", "**/pyproject.toml", "**/.gitignore")

logger = logging.getLogger(__name__)


@dataclass
class _Linted:
    """The last lint that describes a document: its buffer parsed, or was saved as it is."""

    version: Optional[int]
    text: str
    result: FileResult
    project: Project


class AsyncDbLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(NAME, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.projects = Projects()
        self.linted: Dict[str, _Linted] = {}
        self.pending: Dict[str, "asyncio.Task[None]"] = {}
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=NAME)
        self.reported_errors: Set[str] = set()  # configuration errors already shown

    # ------------------------------------------------------------ linting
    def schedule(self, uri: str, delay: float, final: bool) -> None:
        """Lint ``uri`` after ``delay`` seconds, replacing a lint not yet started.
        ``final``: the buffer is what is on disk (open, save), so a syntax error is a finding."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self._lint(uri, delay, final))

    def close(self, uri: str) -> None:
        pending = self.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.linted.pop(uri, None)
        self._publish_empty(uri)

    def relint_open_documents(self, but: Optional[str] = None) -> None:
        for uri in list(self.workspace.text_documents):
            if uri != but:
                self.schedule(uri, DEBOUNCE_SECONDS, final=False)

    async def _lint(self, uri: str, delay: float, final: bool) -> None:
        if delay:
            await asyncio.sleep(delay)
        linted = await self._run_lint(uri, final)
        if linted is not None:
            self._publish(uri, linted)

    async def _run_lint(self, uri: str, final: bool) -> Optional[_Linted]:
        """Lint the document as it is now; None when there is nothing new to show."""
        document = self.workspace.get_text_document(uri)
        path = _local_path(document)
        if path is None:
            return None  # an unsaved new buffer, or not a file: no configuration to lint it by
        project = self._project_for(path)
        version, text = document.version, document.source
        if project.excluded(path):
            self.linted.pop(uri, None)
            self._publish_empty(uri, version)
            return None
        try:
            result = await asyncio.get_running_loop().run_in_executor(self.worker, project.lint, path, text)
        except Exception as error:  # a bug of ours: log it, keep serving
            self._log(types.MessageType.Error, f"{path}: internal error: {type(error).__name__}: {error}")
            return None
        for internal in result.errors:
            self._log(types.MessageType.Error, internal.describe())
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return None  # closed or edited meanwhile: a newer lint is on its way
        if result.unparsable and not final:
            self._log(types.MessageType.Log, f"{path}: version {version} does not parse; keeping the last findings")
            return None
        linted = self.linted[uri] = _Linted(version, text, result, project)
        return linted

    async def current(self, uri: str) -> Optional[_Linted]:
        """The lint of the document as it is now (linted again if it changed since)."""
        linted = self.linted.get(uri)
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        if linted is None or linted.version != document.version:
            linted = await self._run_lint(uri, final=False)
            if linted is not None:
                self._publish(uri, linted)
        return linted

    def _project_for(self, path: str) -> Project:
        project, new = self.projects.project_for(path)
        if new and project.error and project.error not in self.reported_errors:
            self.reported_errors.add(project.error)
            message = f"{project.error}; using the default settings"
            self._log(types.MessageType.Error, message)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"{NAME}: {message}"))
        return project

    # ------------------------------------------------------------ publishing
    def _publish(self, uri: str, linted: _Linted) -> None:
        lines = split_lines(linted.text)
        diagnostics = [self._diagnostic(d, lines) for d in linted.result.diagnostics]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=linted.version, diagnostics=diagnostics)
        )

    def _publish_empty(self, uri: str, version: Optional[int] = None) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[]))

    def _diagnostic(self, diagnostic: Diagnostic, lines: Sequence[str]) -> types.Diagnostic:
        unparsable = diagnostic.code == "ADB001"
        return types.Diagnostic(
            range=self._range(lines, diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column),
            message=diagnostic.message,
            severity=types.DiagnosticSeverity.Error if unparsable else types.DiagnosticSeverity.Warning,
            code=diagnostic.code,
            code_description=None if unparsable else types.CodeDescription(href=rule_url(diagnostic.code)),
            source=NAME,
            tags=[types.DiagnosticTag.Deprecated] if BY_CODE[diagnostic.code].deprecated_api else None,
        )

    def _range(self, lines: Sequence[str], line: int, column: int, end_line: int, end_column: int) -> types.Range:
        return types.Range(start=self._position(lines, line, column), end=self._position(lines, end_line, end_column))

    def _position(self, lines: Sequence[str], line: int, column: int) -> types.Position:
        """1-based line and code-point column -> the client's 0-based position, in the
        units the client and server agreed on (pygls's codec counts them)."""
        where = types.Position(line=max(line - 1, 0), character=max(column - 1, 0))
        return self.workspace.position_codec.position_to_client_units(lines, where)

    def _log(self, kind: types.MessageType, message: str) -> None:
        levels = {types.MessageType.Error: logging.ERROR, types.MessageType.Warning: logging.WARNING}
        logger.log(levels.get(kind, logging.DEBUG), message)
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # ------------------------------------------------------------ code actions
    async def code_actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        uri = params.text_document.uri
        linted = await self.current(uri)
        if linted is None or linted.result.unparsable:
            return []
        wanted = params.context.only

        def offered(kind: str) -> bool:
            return not wanted or any(kind == k or kind.startswith(k + ".") for k in wanted)

        result, lines = linted.result, split_lines(linted.text)
        first, last = params.range.start.line + 1, params.range.end.line + 1
        here = [d for d in result.diagnostics if d.line <= last and d.end_line >= first and d.code != "ADB001"]
        actions: List[types.CodeAction] = []
        if offered(types.CodeActionKind.QuickFix):
            fixes = dict(result.fixes)
            for diagnostic in here:
                fix = fixes.get(diagnostic)
                if fix is not None and fix.changes:
                    try:
                        edits = await self._in_worker(fix_edits, result.module, fix)
                    except Exception as error:  # a fix that cannot be rendered is not offered (--fix skips it too)
                        self._log(types.MessageType.Error, f"{result.path}: internal error in the fix of "
                                  f"{diagnostic.code} at line {diagnostic.line}: {type(error).__name__}: {error}")
                        continue
                    actions.append(self._action(
                        f"{NAME} ({diagnostic.code}): {fix.message}" + ("" if fix.applicability == "safe" else " (unsafe fix)"),
                        types.CodeActionKind.QuickFix, uri, linted, lines, edits,
                        diagnostic, preferred=fix.applicability == "safe",
                    ))
            for diagnostic, noqa_text in zip(here, await self._in_worker(_ignored_each, result.path, linted.text, here)):
                if noqa_text != linted.text:
                    actions.append(self._action(
                        f"{NAME} ({diagnostic.code}): Ignore for this line (# noqa)",
                        types.CodeActionKind.QuickFix, uri, linted, lines, edits_between(linted.text, noqa_text),
                        diagnostic,
                    ))
        if offered(FIX_ALL) and any(fix.applies(unsafe=False) and fix.changes for _, fix in result.fixes):
            fixed = await self._in_worker(linted.project.fix_all, result.path, linted.text)
            if fixed != linted.text:
                actions.append(self._action(
                    f"{NAME}: Fix all safely fixable problems", FIX_ALL, uri, linted, lines,
                    edits_between(linted.text, fixed),
                ))
        return actions

    async def _in_worker(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self.worker, function, *args)

    def _action(
        self, title: str, kind: str, uri: str, linted: _Linted, lines: Sequence[str], edits: List[dict],
        diagnostic: Optional[Diagnostic] = None, preferred: bool = False,
    ) -> types.CodeAction:
        text_edits = [
            types.TextEdit(
                range=self._range(lines, e["line"], e["column"], e["end_line"], e["end_column"]), new_text=e["content"]
            )
            for e in edits
        ]
        if get_capability(self.client_capabilities, "workspace.workspace_edit.document_changes"):
            document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=linted.version)
            edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=text_edits)])
        else:
            edit = types.WorkspaceEdit(changes={uri: text_edits})
        return types.CodeAction(
            title=title, kind=kind, edit=edit, is_preferred=preferred or None,
            diagnostics=[self._diagnostic(diagnostic, lines)] if diagnostic is not None else None,
        )

    # ------------------------------------------------------------ workspace
    def workspace_changed(self) -> None:
        folders = [to_fs_path(folder.uri) for folder in self.workspace.folders.values()]
        if not folders and self.workspace.root_path:
            folders = [self.workspace.root_path]
        self.projects.set_folders(folder for folder in folders if folder)

    async def watch_files(self) -> None:
        if not get_capability(self.client_capabilities, "workspace.did_change_watched_files.dynamic_registration"):
            return  # the client cannot be asked: saves of open documents still refresh what the server knows
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
        )
        registration = types.Registration(
            id=f"{NAME}-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as error:
            self._log(types.MessageType.Warning, f"cannot watch files ({error}): changes outside open documents are seen on save")

    def files_changed(self, paths: Sequence[str]) -> None:
        if any(os.path.basename(path) in ("pyproject.toml", ".gitignore") for path in paths):
            self.projects.reset()
        else:
            self.projects.forget_files()
        self.relint_open_documents()


def _ignored_each(path: str, text: str, diagnostics: Sequence[Diagnostic]) -> List[str]:
    """``text`` with a `# noqa` for each of ``diagnostics`` alone, where `--add-noqa` puts it."""
    placement = NoqaPlacement(path, text)
    return [placement.with_comments([diagnostic])[0] for diagnostic in diagnostics]


def _local_path(document: TextDocument) -> Optional[str]:
    return to_fs_path(document.uri) if document.uri.startswith("file:") else None


def build_server() -> AsyncDbLintServer:
    server = AsyncDbLintServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: AsyncDbLintServer, params: types.InitializedParams) -> None:
        ls.workspace_changed()
        await ls.watch_files()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: AsyncDbLintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.workspace_changed()
        ls.relint_open_documents()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AsyncDbLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0, final=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AsyncDbLintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS, final=False)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AsyncDbLintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.projects.forget_files()  # what other modules import from this one may have changed
        ls.relint_open_documents(but=uri)
        ls.schedule(uri, 0, final=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AsyncDbLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files_changed(ls: AsyncDbLintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.files_changed([path for path in (to_fs_path(change.uri) for change in params.changes) if path])

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    async def code_action(ls: AsyncDbLintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        return await ls.code_actions(params)

    return server


def serve() -> None:
    """Run the server on standard input and output until the client says exit."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format=f"{NAME} server: %(message)s")
    build_server().start_io()
