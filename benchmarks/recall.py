"""Mutation recall: how many un-awaited async DB calls in real code asyncdb-lint reports.

    python benchmarks/recall.py [CORPUS] [--package NAME] [--jobs N] [--markdown] [--misses FILE] [--samples FILE]
    python benchmarks/recall.py --jobs 2 --misses misses.json     # the whole corpus, both cores
    PYTHONPATH=SNAPSHOT/src python benchmarks/recall.py ...       # measure an exported commit
    SCRATCH_VENV/bin/python benchmarks/recall.py methods          # regenerate recall_methods.json

CORPUS (default ~/.cache/asyncdb-lint-bench/db, as benchmarks/bench.py unpacks it)
holds one directory per published package. The method is:

1. Ground truth, independent of the linter: `recall_methods.json` (next to this
   file) lists, per library, the public methods that are coroutine functions or
   return an awaitable. The `methods` subcommand makes it by introspecting the
   installed libraries, so run it with a Python that has databases, databasez,
   asyncpg, aiosqlite, SQLAlchemy[asyncio] and sqlmodel installed (a scratch venv
   outside the repo; they are not our dependencies).
2. Sample: in each file that imports a library, every `await <receiver>.<method>(...)`
   whose method is in that library's table (receivers `self`, `cls`, `super()`
   excluded: those are the project's own methods), plus `await <lib>.<function>(...)`
   for the library's module-level async functions (`asyncpg.connect`...).
3. Mutation: remove that one `await`, lint the mutated text in process, the way
   `asyncdb-lint <package>` does (same files, search roots, prefilter and project
   index; default settings narrowed to the ADB1 rules, see measure()).
   Detected = a new ADB1xx diagnostic starting on the call's line.
4. Report recall per library, per receiver kind and per origin; `--misses`
   writes every miss as JSON, to be read.

Receiver kinds: `module` (a name bound at module level), `param-annotated`,
`param-untyped`, `local` (bound in the function otherwise), `self.x` (exactly
self.<attr> or cls.<attr>), `chain` (a longer chain, or an attribute of another
name: ctx.conn), `call` (a call's or a subscript's result), `library` (the
library module itself: asyncpg.connect), `other`. Origins: `code` and `tests` of
packages that use the library, `library-source` and `library-tests` of the
library's own package (internal backends and test fixtures: less like users' code).

The linter measured is the `asyncdb_lint` that Python imports: to measure a
commit rather than a work tree being edited, export its `src` elsewhere and
put that first on PYTHONPATH (the report names the source it used).

The sample is name-based, so it includes calls on non-DB objects that happen to
share a method name (`await client.get(...)` in a file importing SQLAlchemy
asyncio): a "miss" there is the linter being right. Read the misses.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from collections import defaultdict
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS_FILE = os.path.join(HERE, "recall_methods.json")
DEFAULT_CORPUS = os.path.join("~", ".cache", "asyncdb-lint-bench", "db")  # expanded at run time

# Attribution order when a file imports several libraries that all have the method.
LIBRARY_ORDER = ("asyncpg", "aiosqlite", "databases", "sqlalchemy")
ORIGINS = ("code", "tests", "library-source", "library-tests")
KINDS = ("module", "param-annotated", "param-untyped", "local", "self.x", "chain", "call", "library", "other")

# What the `methods` subcommand introspects: the libraries' public objects.
# "imports": a file importing one of these module prefixes uses the library.
LIBRARIES: Dict[str, dict] = {
    "asyncpg": {
        "distributions": ["asyncpg"],
        "imports": ["asyncpg"],
        "classes": [
            "asyncpg.connection.Connection", "asyncpg.pool.Pool", "asyncpg.pool.PoolConnectionProxy",
            "asyncpg.pool.PoolAcquireContext", "asyncpg.prepared_stmt.PreparedStatement",
            "asyncpg.transaction.Transaction", "asyncpg.cursor.CursorFactory", "asyncpg.cursor.Cursor",
        ],
        "functions": ["asyncpg.connect", "asyncpg.create_pool"],
    },
    "aiosqlite": {
        "distributions": ["aiosqlite"],
        "imports": ["aiosqlite"],
        "classes": ["aiosqlite.core.Connection", "aiosqlite.cursor.Cursor"],
        "functions": ["aiosqlite.connect"],
    },
    "databases": {
        "distributions": ["databases", "databasez"],
        "imports": ["databases", "databasez"],
        "classes": [
            "databases.core.Database", "databases.core.Connection", "databases.core.Transaction",
            "databasez.core.database.Database", "databasez.core.connection.Connection",
            "databasez.core.transaction.Transaction",
        ],
        "functions": [],
    },
    "sqlalchemy": {
        "distributions": ["SQLAlchemy", "sqlmodel"],
        "imports": ["sqlalchemy.ext.asyncio", "sqlmodel.ext.asyncio"],
        "classes": [
            "sqlalchemy.ext.asyncio.AsyncEngine", "sqlalchemy.ext.asyncio.AsyncConnection",
            "sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.AsyncSessionTransaction",
            "sqlalchemy.ext.asyncio.AsyncTransaction", "sqlalchemy.ext.asyncio.AsyncResult",
            "sqlalchemy.ext.asyncio.AsyncScalarResult", "sqlalchemy.ext.asyncio.AsyncMappingResult",
            "sqlalchemy.ext.asyncio.AsyncTupleResult", "sqlalchemy.ext.asyncio.async_scoped_session",
            "sqlmodel.ext.asyncio.session.AsyncSession",
        ],
        "functions": [],
    },
}


# ====================================================================== ground truth
def _import(qualname: str):
    import importlib

    module, _, name = qualname.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):  # a dotted module path below a package
        return importlib.import_module(qualname)


def _is_awaitable_type(tp) -> bool:
    """A type whose instances can be awaited (`__await__`, or Awaitable/Coroutine).

    `Optional[X]` is not: such methods hand back an existing object or None
    (`get_transaction()`), and awaiting None fails."""
    import collections.abc
    import typing

    origin = typing.get_origin(tp) or tp
    if origin is typing.Union:  # a bare `Union` (unresolvable annotation) tells nothing
        members = typing.get_args(tp)
        return bool(members) and all(_is_awaitable_type(member) for member in members)
    if isinstance(origin, type):
        return hasattr(origin, "__await__") or issubclass(origin, collections.abc.Awaitable)
    return False


def _return_type(func) -> Optional[object]:
    """The resolved return annotation, or None when there is none or it cannot be resolved."""
    import inspect
    import typing

    try:
        return typing.get_type_hints(func).get("return")
    except Exception:  # names imported under TYPE_CHECKING: try the head of the annotation alone
        pass
    annotation = inspect.signature(func, follow_wrapped=False).return_annotation
    if annotation is inspect.Signature.empty:
        return None
    if isinstance(annotation, str):
        head = annotation.split("[", 1)[0].strip().strip("'\"")
        return _lookup(head.split("."), func.__globals__)
    return annotation


def _lookup(parts: List[str], namespace: dict) -> Optional[object]:
    value: object = namespace
    for part in parts:
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if value is None:
            return None
    return value


def _dotted(node: ast.expr) -> Optional[List[str]]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return base + [node.attr] if base else None
    return None


def _returned_classes_in_source(func) -> List[type]:
    """Classes that a function visibly returns (`return Cls(...)`, `return module.Cls(...)`).

    Read from the function's own code object, not through `__wrapped__`: for a
    decorator's wrapper (SQLAlchemy's `@asyncstartablecontext`) the wrapper's
    own `return` is what the caller gets, whatever the wrapped function says."""
    import inspect
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func.__code__)))
    except (OSError, TypeError, SyntaxError, AttributeError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            parts = _dotted(node.value.func)
            target = _lookup(parts, func.__globals__) if parts else None
            if isinstance(target, type):
                found.append(target)
    return found


def _how_awaitable(cls: type, name: str) -> Optional[str]:
    """Why `await obj.name(...)` is right for an instance of ``cls``, or None when it is not."""
    import inspect

    static = inspect.getattr_static(cls, name)
    if isinstance(static, (staticmethod, classmethod)):
        static = static.__func__
    if isinstance(static, property) or not callable(static):
        return None
    func = inspect.unwrap(static)  # decorators like asyncpg's `guarded` hide the coroutine function
    if inspect.iscoroutinefunction(static) or inspect.iscoroutinefunction(func):
        return "coroutine"
    if not inspect.isfunction(func):
        return None
    # Each decorator layer, outermost first: the first one that visibly returns an object tells.
    layer = static
    while True:
        returned = _returned_classes_in_source(layer)
        if returned:
            awaitable = [c for c in returned if _is_awaitable_type(c)]
            if awaitable and len(awaitable) == len(returned):
                return f"returns {awaitable[0].__qualname__} (from source)"
            if layer is not func:
                return None
            break
        if layer is func or not hasattr(layer, "__wrapped__"):
            break
        layer = layer.__wrapped__
    if inspect.isasyncgenfunction(func):
        return None  # an async generator is iterated, never awaited
    returned_type = _return_type(func)
    if returned_type is not None and _is_awaitable_type(returned_type):
        return f"returns {getattr(returned_type, '__qualname__', returned_type)}"
    return None


def generate_methods(output: str) -> None:
    """Introspect the installed libraries and write the ground-truth table."""
    from importlib import metadata

    table = {
        "about": "Public methods of async DB libraries that are coroutine functions or return an awaitable; "
                 "made by `python benchmarks/recall.py methods` from the installed libraries.",
        "python": sys.version.split()[0],
        "libraries": {},
    }
    for library, spec in LIBRARIES.items():
        entry = {
            "versions": {dist: metadata.version(dist) for dist in spec["distributions"]},
            "imports": spec["imports"],
            "classes": {},
            "functions": {},
        }
        for qualname in spec["classes"]:
            cls = _import(qualname)
            methods = {}
            for name in sorted(dir(cls)):
                if not name.startswith("_"):
                    how = _how_awaitable(cls, name)
                    if how is not None:
                        methods[name] = how
            entry["classes"][qualname] = methods
        for qualname in spec["functions"]:
            how = _how_awaitable(type("_Module", (), {"f": staticmethod(_import(qualname))}), "f")
            if how is not None:
                entry["functions"][qualname.rpartition(".")[2]] = how
        entry["methods"] = sorted({m for methods in entry["classes"].values() for m in methods})
        table["libraries"][library] = entry
        print(f"{library}: {len(entry['methods'])} method names, {len(entry['functions'])} functions "
              f"({', '.join(f'{d} {v}' for d, v in entry['versions'].items())})")
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(table, handle, indent=1, sort_keys=False)
        handle.write("\n")
    print(f"wrote {output}")


# ====================================================================== sampling
class Sample:
    __slots__ = ("file", "line", "col", "end", "library", "also", "kind", "origin", "receiver", "method", "text")

    def __init__(self, **fields):
        for key, value in fields.items():
            setattr(self, key, value)

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key in self.__slots__}


def _imported_libraries(tree: ast.Module, table: dict) -> Tuple[List[str], Dict[str, str]]:
    """Libraries a file imports (in LIBRARY_ORDER) and its module-level names bound to library modules."""
    found = set()
    library_aliases: Dict[str, str] = {}  # `import asyncpg as pg` -> {"pg": "asyncpg"}

    def library_of(module: str) -> Optional[str]:
        for library in LIBRARY_ORDER:
            for prefix in table[library]["imports"]:
                if module == prefix or module.startswith(prefix + "."):
                    return library
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                library = library_of(alias.name)
                if library:
                    found.add(library)
                    if alias.asname or "." not in alias.name:
                        library_aliases[alias.asname or alias.name] = library
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                # `from sqlalchemy.ext import asyncio` imports sqlalchemy.ext.asyncio too
                library = library_of(node.module) or library_of(f"{node.module}.{alias.name}")
                if library:
                    found.add(library)
    return [library for library in LIBRARY_ORDER if library in found], library_aliases


class _Scopes(ast.NodeVisitor):
    """Which names each function (and the module) binds, and each node's enclosing function."""

    def __init__(self):
        self.bound: Dict[ast.AST, set] = defaultdict(set)
        self.params: Dict[ast.AST, Dict[str, bool]] = {}  # name -> annotated?
        self.parent_function: Dict[ast.AST, Optional[ast.AST]] = {}  # function -> enclosing function
        self.globals: Dict[ast.AST, set] = defaultdict(set)
        self.stack: List[ast.AST] = []

    def scope(self) -> Optional[ast.AST]:
        return self.stack[-1] if self.stack else None

    def bind(self, name: str) -> None:
        self.bound[self.scope()].add(name)

    def visit_function(self, node) -> None:
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        self.bind_if_named(node)
        self.parent_function[node] = self.scope()
        arguments = node.args
        params = {}
        for arg in (*getattr(arguments, "posonlyargs", []), *arguments.args, *arguments.kwonlyargs,
                    arguments.vararg, arguments.kwarg):
            if arg is not None:
                params[arg.arg] = arg.annotation is not None
        self.params[node] = params
        self.stack.append(node)
        body = node.body if isinstance(node.body, list) else [node.body]
        for statement in body:
            self.visit(statement)
        self.stack.pop()

    def bind_if_named(self, node) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.bind(node.name)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        # Class bodies bind class attributes, not names visible to the methods: bind the class only.
        self.bind(node.name)
        saved = self.bound[self.scope()].copy()
        self.generic_visit(node)
        self.bound[self.scope()] = saved

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.bind(node.id)

    def visit_Global(self, node: ast.Global) -> None:
        self.globals[self.scope()].update(node.names)

    visit_Nonlocal = visit_Global

    def visit_alias(self, node: ast.alias) -> None:
        if node.name != "*":
            self.bind((node.asname or node.name).split(".")[0])

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node) -> None:  # Python 3.10+
        if node.name:
            self.bind(node.name)
        self.generic_visit(node)


def _classify(receiver: ast.expr, function: Optional[ast.AST], scopes: _Scopes) -> str:
    """The receiver's shape: where its value comes from, as far as syntax tells."""
    if isinstance(receiver, ast.Attribute):
        if isinstance(receiver.value, ast.Name) and receiver.value.id in ("self", "cls"):
            return "self.x"
        return "chain"
    if isinstance(receiver, (ast.Call, ast.Subscript)):
        return "call"
    if not isinstance(receiver, ast.Name):
        return "other"
    name = receiver.id
    scope = function
    while scope is not None:  # innermost function outwards, as Python resolves a free name
        if name in scopes.globals.get(scope, ()):
            break
        params = scopes.params.get(scope, {})
        if name in params:
            return "param-annotated" if params[name] else "param-untyped"
        if name in scopes.bound.get(scope, ()):
            return "local"
        scope = scopes.parent_function.get(scope)
    return "module" if name in scopes.bound.get(None, ()) else "other"


def _function_of(tree: ast.Module) -> Dict[ast.AST, Optional[ast.AST]]:
    """Each Await node's innermost enclosing function (comprehensions belong to their function)."""
    owner: Dict[ast.AST, Optional[ast.AST]] = {}

    def walk(node: ast.AST, function: Optional[ast.AST]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Await):
                owner[child] = function
            walk(child, child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else function)

    walk(tree, None)
    return owner


def _origin(relpath: str, library: str, table: dict) -> str:
    """Whose code the sample is: a library's own package (source or tests) uses
    the library differently from its users (internal backends, test fixtures)."""
    parts = relpath.replace(os.sep, "/").split("/")
    package = parts[0].rsplit("-", 1)[0].lower().replace("_", "-")
    own = package in {d.lower().replace("_", "-") for d in table[library]["versions"]}
    name = parts[-1]
    tests = any(p in ("tests", "test", "testing") for p in parts[1:-1]) or name.startswith("test_") \
        or name.endswith("_test.py") or name == "conftest.py"
    return ("library-" if own else "") + ("tests" if tests else "source" if own else "code")


def find_samples(relpath: str, text: str, table: dict) -> List[Sample]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    libraries, library_aliases = _imported_libraries(tree, table)
    if not libraries:
        return []
    scopes = _Scopes()
    scopes.visit(tree)
    owner = _function_of(tree)
    starts = _line_starts(text)
    samples = []
    for node, function in owner.items():
        call = node.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        receiver, method = call.func.value, call.func.attr
        if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
            continue
        if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super":
            continue
        kind = _classify(receiver, function, scopes)
        owners = [library for library in libraries if method in table[library]["method_set"]]
        if isinstance(receiver, ast.Name) and kind in ("module", "local") and receiver.id in library_aliases:
            library = library_aliases[receiver.id]  # `await asyncpg.connect(...)`: a library function
            if method not in table[library]["functions"]:
                continue
            owners, kind = [library], "library"
        if not owners:
            continue
        samples.append(Sample(
            file=relpath, line=node.lineno, col=node.col_offset, end=call.lineno, library=owners[0], also=owners[1:],
            kind=kind, origin=_origin(relpath, owners[0], table), method=method,
            receiver=ast.get_source_segment(text, receiver) or "", text=_line(text, starts, node.lineno).strip(),
        ))
    samples.sort(key=lambda s: (s.line, s.col))
    return samples


def _line(text: str, line_starts: List[int], number: int) -> str:
    return text[line_starts[number - 1]:line_starts[number] if number < len(line_starts) else len(text)]


def remove_await(text: str, line_starts: List[int], sample: Sample) -> Optional[str]:
    """The text without that one `await` and the blanks after it; None if it is not where ast said."""
    line = _line(text, line_starts, sample.line)
    column = len(line.encode("utf-8")[:sample.col].decode("utf-8", "replace"))  # ast columns are UTF-8 bytes
    start = line_starts[sample.line - 1] + column
    if text[start:start + 5] != "await":
        return None
    end = start + 5
    while end < len(text) and text[end] in " \t":
        end += 1
    # `await \` continued on the next line: the backslash stays, so no line moves.
    return text[:start] + text[end:]


def _line_starts(text: str) -> List[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


# ====================================================================== linting
_STATE: dict = {}  # per process: table, corpus, and one linting context per package


class _PackageLinter:
    """Lints texts of one package as `asyncdb-lint <package>` would: its files, their
    package roots as search roots, the default prefilter, one project index reused."""

    def __init__(self, package_dir: str, select: Tuple[str, ...]):
        from asyncdb_lint.files import discover
        from asyncdb_lint.index.project import ProjectIndex
        from asyncdb_lint.prefilter import for_settings
        from asyncdb_lint.runner import _package_roots, index_salt, prepare
        from asyncdb_lint.settings import Settings

        self.files = [path for path in discover([package_dir]) if path.endswith(".py")]
        self.settings = Settings(select=select)
        prepare(self.settings)
        self.prefilter = for_settings(self.settings)  # the CLI's default (use_prefilter=True)
        roots = _package_roots(sorted({os.path.dirname(os.path.abspath(path)) for path in self.files}))
        self.index = ProjectIndex(search_roots=roots, gate=self.prefilter.index_gate, salt=index_salt(self.settings))
        self.index.add_state_sources(self.files)

    def adb1(self, path: str, text: str) -> List[Tuple[int, str]]:
        """(line, code) of each ADB1xx diagnostic."""
        from asyncdb_lint.checker import check_source
        from asyncdb_lint.source import Source

        source = Source(path, None, text, "utf-8")
        result = check_source(source, self.settings, index=self.index, prefilter=self.prefilter)
        self.index.flush()
        # The linter's own crashes are contained per rule: count them, they can hide findings.
        relpath = os.path.relpath(path, _STATE["corpus"])
        _STATE.setdefault("errors", []).extend(f"{relpath}: {e.rule}: {e.error}" for e in result.errors)
        return [(d.line, d.code) for d in result.diagnostics if d.code.startswith("ADB1")]


def _linter(package: str) -> _PackageLinter:
    linters = _STATE.setdefault("linters", {})
    if package not in linters:
        linters[package] = _PackageLinter(os.path.join(_STATE["corpus"], package), _STATE["select"])
    return linters[package]


def _init_worker(table: dict, corpus: str, select: Tuple[str, ...]) -> None:
    _STATE.update(table=table, corpus=corpus, select=select)


# Samples of one file linted by one task: large test files hold up to 200, and
# splitting them keeps both workers busy to the end (each part lints the
# unmutated file once more, a few per cent).
CHUNK = 32
Task = Tuple[str, str, int]  # package, path, first sample


def _measure_file(task: Task) -> Tuple[List[dict], List[str]]:
    """Samples CHUNK of one file from the task's first, each linted with its own `await` removed."""
    package, path, first = task
    from asyncdb_lint.source import SourceError, read_source

    _STATE["errors"] = []
    try:
        text = read_source(path).text
    except SourceError:
        return [], []
    relpath = os.path.relpath(path, _STATE["corpus"])
    samples = find_samples(relpath, text, _STATE["table"])[first:first + CHUNK]
    if not samples:
        return [], []
    linter = _linter(package)
    # Diagnostics the file has anyway: a mutation is detected only by a new one on its line.
    before = defaultdict(int)
    for line, _code in linter.adb1(path, text):
        before[line] += 1
    starts = _line_starts(text)
    outcomes = []
    for sample in samples:
        record = sample.as_dict()
        mutated = remove_await(text, starts, sample)
        if mutated is not None:
            try:
                ast.parse(mutated)
            except SyntaxError:
                mutated = None
        if mutated is None:
            record["status"] = "unmutable"
            outcomes.append(record)
            continue
        found = linter.adb1(path, mutated)
        on_line = [code for line, code in found if line == sample.end]
        record["codes"] = sorted(set(on_line))
        record["status"] = "detected" if len(on_line) > before[sample.end] else "missed"
        if record["status"] == "missed":
            after = defaultdict(int)
            for line, _code in found:
                after[line] += 1
            # New findings on other lines (ADB102 at a later use, say): context for a reader.
            record["elsewhere"] = sorted({line for line, count in after.items() if count > before[line]})
        record["baseline_hit"] = before[sample.end] > 0
        outcomes.append(record)
    return outcomes, _STATE["errors"]


# ====================================================================== report
def _rows(outcomes: List[dict], key: str, order: Sequence[str]) -> List[Tuple[str, int, int]]:
    counts: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        counts[outcome[key]][0] += 1
        counts[outcome[key]][1] += outcome["status"] == "detected"
    ordered = [name for name in order if name in counts] + sorted(set(counts) - set(order))
    return [(name, counts[name][0], counts[name][1]) for name in ordered]


def _table(title: str, rows: List[Tuple[str, int, int]], markdown: bool) -> str:
    total = (sum(r[1] for r in rows), sum(r[2] for r in rows))
    rows = rows + [("all", *total)]
    cells = [(name, str(n), str(d), f"{100.0 * d / n:.1f}" if n else "-") for name, n, d in rows]
    header = (title, "samples", "detected", "recall %")
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---:|---:|---:|"]
        lines += ["| " + " | ".join(c) + " |" for c in cells]
    else:
        width = max(len(c[0]) for c in cells + [header])
        lines = [f"{header[0]:<{width}}  {header[1]:>8}  {header[2]:>8}  {header[3]:>8}"]
        lines += [f"{c[0]:<{width}}  {c[1]:>8}  {c[2]:>8}  {c[3]:>8}" for c in cells]
    return "\n".join(lines)


def _cpu_seconds() -> float:
    """CPU time of this process and its finished workers: on a shared machine, wall time alone misleads."""
    try:
        import resource
    except ImportError:  # not on Windows
        return float("nan")
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def report(
    outcomes: List[dict], table: dict, markdown: bool, elapsed: float, files: int, jobs: int, load: float
) -> str:
    measured = [o for o in outcomes if o["status"] != "unmutable"]
    versions = "; ".join(
        ", ".join(f"{d} {v}" for d, v in entry["versions"].items()) for entry in table.values()
    )
    parts = [
        _table("library", _rows(measured, "library", LIBRARY_ORDER), markdown),
        _table("receiver kind", _rows(measured, "kind", KINDS), markdown),
        _table("origin", _rows(measured, "origin", ORIGINS), markdown),
    ]
    unmutable = len(outcomes) - len(measured)
    shared = sum(1 for o in measured if o["also"])
    baseline = sum(1 for o in measured if o["baseline_hit"])
    notes = [
        f"{len(measured)} samples in {files} files; ground truth: {versions}.",
        f"{shared} samples' method is also in a later library's table (attributed in the order {', '.join(LIBRARY_ORDER)}); "
        f"{baseline} lines already had an ADB1 finding before the mutation; "
        f"{unmutable} awaits could not be removed cleanly.",
        f"linter: asyncdb_lint {_linter_version()} from {_linter_location()}",
        # Other work on the machine stretches wall time: the load average at the start tells.
        f"elapsed {elapsed:.1f} s (CPU {_cpu_seconds():.1f} s, jobs={jobs}, load average at start {load:.1f})",
    ]
    joiner = "\n\n"
    return joiner.join(parts) + joiner + "\n".join(notes) + "\n"


def _linter_version() -> str:
    import asyncdb_lint

    return getattr(asyncdb_lint, "__version__", "?")


def _linter_location() -> str:
    """Which source was measured (PYTHONPATH can point at a snapshot), and its git state if any."""
    import subprocess

    import asyncdb_lint

    where = os.path.dirname(os.path.dirname(os.path.abspath(asyncdb_lint.__file__)))
    try:
        git = ["git", "-C", where]
        head = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(git + ["status", "--porcelain", "--", "."], capture_output=True, text=True)
        return f"{where} (git {head.stdout.strip()}{', uncommitted changes' if dirty.stdout.strip() else ''})"
    except (OSError, subprocess.CalledProcessError):
        return where


# ====================================================================== main
def _tasks(corpus: str, package_filter: Optional[str]) -> Iterator[Tuple[str, str]]:
    """(package, file) for the files a bare `asyncdb-lint <package>` would lint."""
    from asyncdb_lint.files import discover

    for package in sorted(os.listdir(corpus)):
        if not os.path.isdir(os.path.join(corpus, package)):
            continue
        if package_filter and package_filter.lower() not in package.lower():
            continue
        for path in discover([os.path.join(corpus, package)]):
            if path.endswith(".py"):
                yield package, path


def load_table(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        table = json.load(handle)["libraries"]
    for entry in table.values():
        entry["method_set"] = frozenset(entry["methods"])
    return table


def _plan(corpus: str, package_filter: Optional[str], table: dict) -> List[Task]:
    """One task per CHUNK samples of each file, the costliest first (LibCST's time
    grows with the file), so no worker is left alone with a large file at the end."""
    from asyncdb_lint.source import SourceError, read_source

    prefixes = {prefix.split(".")[0].encode() for entry in table.values() for prefix in entry["imports"]}
    planned = []
    for package, path in _tasks(corpus, package_filter):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            if not any(prefix in data for prefix in prefixes):
                continue  # cheap: most files never name a library
            text = read_source(path).text
        except (OSError, SourceError):
            continue
        count = len(find_samples(os.path.relpath(path, corpus), text, table))
        size = len(text)
        planned += [((package, path, first), min(CHUNK, count - first) * size) for first in range(0, count, CHUNK)]
    planned.sort(key=lambda item: -item[1])
    return [task for task, _cost in planned]


def _write_json(path: str, data) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")


def measure(args: argparse.Namespace) -> int:
    corpus = os.path.abspath(os.path.expanduser(args.corpus))
    if not os.path.isdir(corpus):
        sys.exit(f"no corpus at {corpus}: unpack the packages first (benchmarks/bench.py --corpus db downloads them)")
    table = load_table(args.methods)
    # Only ADB1 is counted, and rules do not depend on each other; with the other
    # rules on, their findings make the checker resolve positions for nearly every
    # mutant: 1.5 times the CPU time on the db corpus, with the very same verdicts
    # (--all-rules checks that).
    select: Tuple[str, ...] = () if args.all_rules else ("ADB1",)
    started = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    tasks = _plan(corpus, args.package, table)
    outcomes: List[dict] = []
    errors: List[str] = []
    if args.jobs > 1:
        import multiprocessing

        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with context.Pool(args.jobs, initializer=_init_worker, initargs=(table, corpus, select)) as pool:
            for found, failed in pool.imap_unordered(_measure_file, tasks):
                outcomes.extend(found)
                errors.extend(failed)
            pool.close()
            pool.join()  # workers that exit (not terminated) are reaped, so their CPU time is counted
    else:
        _init_worker(table, corpus, select)
        for task in tasks:
            found, failed = _measure_file(task)
            outcomes.extend(found)
            errors.extend(failed)
    elapsed = time.perf_counter() - started
    outcomes.sort(key=lambda o: (o["file"], o["line"], o["col"]))
    files = len({o["file"] for o in outcomes})
    text = report(outcomes, table, args.markdown, elapsed, files, args.jobs, load)
    sys.stdout.write(text)
    if errors:
        sys.stderr.write(f"{len(errors)} internal errors of the linter while linting mutants, e.g.:\n")
        for error in sorted(set(errors))[:10]:
            sys.stderr.write(f"  {error}\n")
    if args.misses:
        keys = ("file", "line", "library", "kind", "origin", "receiver", "method", "text", "also", "elsewhere")
        misses = [{key: o[key] for key in keys} for o in outcomes if o["status"] == "missed"]
        _write_json(args.misses, misses)
    if args.samples:
        _write_json(args.samples, outcomes)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["methods"]:
        parser = argparse.ArgumentParser(prog="recall.py methods", description=generate_methods.__doc__)
        parser.add_argument("--output", default=METHODS_FILE, help="where to write the table (default: beside this script)")
        args = parser.parse_args(argv[1:])
        generate_methods(args.output)
        return 0
    parser = argparse.ArgumentParser(prog="recall.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS, help="directory of unpacked packages")
    parser.add_argument("--package", help="only packages whose directory name contains this")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (files are shared out)")
    parser.add_argument("--markdown", action="store_true", help="tables in Markdown")
    parser.add_argument("--misses", metavar="FILE", help="write every missed sample here (JSON)")
    parser.add_argument("--samples", metavar="FILE", help="write every sample and its outcome here (JSON)")
    parser.add_argument("--all-rules", action="store_true", help="lint with every default rule, not only ADB1 (slower)")
    parser.add_argument("--methods", default=METHODS_FILE, help="the ground-truth table (recall_methods.json)")
    return measure(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
