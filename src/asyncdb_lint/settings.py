"""Settings: `[tool.asyncdb-lint]` in pyproject.toml, overridden by command-line options.

The same settings serve the CLI and the flake8 plugin. Every value remembers
where it came from, for `asyncdb-lint config`.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, Mapping, Optional, Sequence, Tuple

from asyncdb_lint.catalogue import BY_CODE, RULES

if TYPE_CHECKING:
    from asyncdb_lint.rules import Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

SECTION = "asyncdb-lint"
_QUALIFIED_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


class SettingsError(ValueError):
    """A bad option or configuration value: a usage error (exit code 2)."""


@dataclass(frozen=True)
class Settings:
    select: Tuple[str, ...] = ()  # code prefixes; empty means the default set
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # (glob, codes)
    exclude: Tuple[str, ...] = ()  # gitignore-style patterns, relative to `root`
    extend_exclude: Tuple[str, ...] = ()
    respect_gitignore: bool = True
    unsafe_fixes: bool = False
    cache_dir: str = ".asyncdb_lint_cache"
    # Teaching the linter a project's own code, by qualified name:
    async_db_types: Tuple[str, ...] = ()  # classes whose methods are async DB calls
    sync_db_calls: Tuple[str, ...] = ()  # blocking functions/classes, like sync drivers
    sql_sinks: Tuple[str, ...] = ()  # functions whose first argument is executed as SQL
    root: str = field(default=".", compare=False)  # where relative patterns start (the config's directory)
    config_path: Optional[str] = field(default=None, compare=False)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        for prefix in (*self.select, *self.ignore, *self.extend_select, *(c for _, cs in self.per_file_ignores for c in cs)):
            _check_code(prefix)

    def enabled_codes(self) -> FrozenSet[str]:
        return frozenset(rule.code for rule in RULES if self.is_enabled(rule.code))

    def is_enabled(self, code: str) -> bool:
        return _selected(code, self.select, self.ignore, self.extend_select, default=_default_enabled(code))

    def enabled_rules(self) -> Sequence["Rule"]:
        from asyncdb_lint.rules import ALL_RULES  # LibCST and the model: only when a file is analysed

        return [rule for rule in ALL_RULES if self.is_enabled(rule.code)]

    def ignored_for(self, path: str) -> Tuple[str, ...]:
        """Codes that `per-file-ignores` switches off for this file."""
        if not self.per_file_ignores:
            return ()
        import pathspec

        relative = _relative(path, self.root)
        codes = []
        for pattern, ignored in self.per_file_ignores:
            spec = pathspec.GitIgnoreSpec.from_lines([pattern])
            if spec.match_file(relative) or spec.match_file(os.path.basename(relative)):
                codes.extend(ignored)
        return tuple(codes)

    def describe(self) -> str:
        """`key = value  # source` lines, for `asyncdb-lint config`."""
        lines = []
        for item in fields(self):
            if item.name in ("sources", "root", "config_path"):
                continue
            value = getattr(self, item.name)
            if item.name == "per_file_ignores":
                value = {pattern: list(codes) for pattern, codes in value}
            elif isinstance(value, tuple):
                value = list(value)
            key = item.name.replace("_", "-")
            lines.append(f"{key} = {_toml_value(value)}  # {self.sources.get(key, 'default')}")
        enabled = ", ".join(sorted(self.enabled_codes()))
        lines.append(f"# enabled rules: {enabled}")
        lines.append(f"# configuration file: {self.config_path or 'none'}")
        return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + " }"
    return str(value)


def _relative(path: str, root: str) -> str:
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive (Windows)
        relative = path
    return relative.replace(os.sep, "/")


def _check_code(prefix: str) -> None:
    if not any(rule.code.startswith(prefix) for rule in RULES) and not "ADB".startswith(prefix):
        raise SettingsError(f"unknown rule code or prefix: {prefix!r}")


def _default_enabled(code: str) -> bool:
    rule = BY_CODE.get(code)
    return rule.default_enabled if rule is not None else True


def _longest(code: str, prefixes: Iterable[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def _selected(code: str, select, ignore, extend_select, default: bool) -> bool:
    """Ruff's rule: the most specific matching prefix wins; ignore wins ties.

    A rule that is off by default is only turned on by a selector that names
    its family or itself (`ADB5`, `ADB503`), never by `ADB`/`ALL`.
    """
    chosen = _longest(code, (*select, *extend_select))
    if not default and chosen < 4:
        chosen = -1
    if not select and chosen < 0:
        chosen = 0 if default else -1
    ignored = _longest(code, ignore)
    return chosen >= 0 and chosen > ignored


def parse_codes(values: Iterable[str]) -> Tuple[str, ...]:
    """`--select ADB1,ADB201 --select ADB3` -> ("ADB1", "ADB201", "ADB3")."""
    codes = []
    for value in values:
        for part in value.split(","):
            part = part.strip().upper()
            if part:
                codes.append("ADB" if part == "ALL" else part)
    return tuple(codes)


# ------------------------------------------------------------------ loading
def find_config(start: str) -> Optional[str]:
    """The nearest pyproject.toml with a [tool.asyncdb-lint] section, walking up."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as handle:
                    if SECTION in tomllib.load(handle).get("tool", {}):
                        return candidate
            except (OSError, tomllib.TOMLDecodeError):
                return candidate  # let loading report what is wrong with it
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def load_settings(
    overrides: Optional[Mapping[str, Any]] = None,
    config: Optional[str] = None,
    isolated: bool = False,
    start: str = ".",
) -> Settings:
    """Settings from the configuration file (unless ``isolated``), then ``overrides``.

    ``overrides`` use the dataclass field names; `select` replaces the file's
    value, `ignore` and `extend_select` add to it.
    """
    values: Dict[str, Any] = {}
    sources: Dict[str, str] = {}
    path = None if isolated else (config or find_config(start))
    if path is not None:
        values = _read_section(path)
        sources = {key.replace("_", "-"): os.path.relpath(path) for key in values}
        values["root"] = os.path.dirname(os.path.abspath(path))
        values["config_path"] = path
    for key, value in (overrides or {}).items():
        if value in (None, (), []) or value is False:
            continue
        if key in ("ignore", "extend_select", "extend_exclude") and key in values:
            value = tuple(values[key]) + tuple(value)
        values[key] = value
        sources[key.replace("_", "-")] = "command line"
    try:
        return Settings(**values, sources=sources)
    except SettingsError as error:
        where = f"{path}: " if path else ""
        raise SettingsError(f"{where}{error}") from None


_LIST_KEYS = {"select", "extend-select", "ignore", "exclude", "extend-exclude"}
_NAME_KEYS = {"async-db-types", "sync-db-calls", "sql-sinks"}
_BOOL_KEYS = {"respect-gitignore", "unsafe-fixes"}
_KNOWN_KEYS = _LIST_KEYS | _NAME_KEYS | _BOOL_KEYS | {"per-file-ignores", "cache-dir"}


def _read_section(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise SettingsError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: invalid TOML: {error}") from None
    section = document.get("tool", {}).get(SECTION, {})
    if not isinstance(section, dict):
        raise SettingsError(f"{path}: [tool.{SECTION}] must be a table")
    values: Dict[str, Any] = {}
    for key, value in section.items():
        where = f"{path}: [tool.{SECTION}] {key}"
        if key not in _KNOWN_KEYS:
            raise SettingsError(f"{where}: unknown key (known: {', '.join(sorted(_KNOWN_KEYS))})")
        if key in _LIST_KEYS | _NAME_KEYS:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise SettingsError(f"{where}: expected a list of strings, got {value!r}")
            if key in ("select", "extend-select", "ignore"):
                value = list(parse_codes(value))
                for code in value:
                    try:
                        _check_code(code)
                    except SettingsError as error:
                        raise SettingsError(f"{where}: {error}") from None
            if key in _NAME_KEYS:
                for name in value:
                    if not _QUALIFIED_NAME.match(name):
                        raise SettingsError(f"{where}: {name!r} is not a qualified name like 'package.module.Name'")
            value = tuple(value)
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise SettingsError(f"{where}: expected true or false, got {value!r}")
        elif key == "cache-dir":
            if not isinstance(value, str) or not value:
                raise SettingsError(f"{where}: expected a directory name, got {value!r}")
        elif key == "per-file-ignores":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, list) and all(isinstance(c, str) for c in v)
                for k, v in value.items()
            ):
                raise SettingsError(f'{where}: expected a table of "glob" = ["CODE", ...]')
            entries = []
            for pattern, codes in value.items():
                parsed = parse_codes(codes)
                for code in parsed:
                    try:
                        _check_code(code)
                    except SettingsError as error:
                        raise SettingsError(f"{where}: {error}") from None
                entries.append((pattern, parsed))
            value = tuple(entries)
        values[key.replace("-", "_")] = value
    return values

