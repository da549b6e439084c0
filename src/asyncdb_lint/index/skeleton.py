"""A module's skeleton: what the project index needs of a module that is only imported.

A module another file imports from is asked only what its names hold. That
depends on its bindings (imports, assignments, annotations, ``with ... as``,
functions with their parameters, returns and yields, classes with their bases
and ``self.x`` attributes, ``app.state`` assignments) and on a few kinds of
expression (names, attributes, calls, ``await``, subscripts, string and ``|``
annotations) - not on the rest of the code.

So the module is parsed with Python's own ``ast`` (an order of magnitude faster
than LibCST), reduced to those statements and expressions - control flow
flattened, function bodies cut down to their returns, yields, attribute and
``global`` assignments and what those read, every other expression replaced by
``...`` - and written down as plain JSON data (which the summary cache stores).
:func:`build_module` turns that data into a small LibCST module for the one
semantic model, so the index's answers come from the same code that reads the
linted files (tests/test_summaries.py compares them with full models).
"""

from __future__ import annotations

import ast
import dataclasses
import warnings
from typing import Iterable, List, Optional

import libcst as cst

# A node is [type name, {field: value}]; a field holds a node, a list of nodes, a
# string or None. Only these LibCST types may be built from the data.
_TYPES = frozenset({
    "Module", "SimpleStatementLine", "IndentedBlock", "Expr", "Assign", "AssignTarget", "AnnAssign",
    "Annotation", "AugAssign", "AddAssign", "Return", "Yield", "FunctionDef", "Parameters", "Param",
    "Decorator", "Asynchronous", "ParamStar", "ClassDef", "Arg", "With", "WithItem", "AsName", "Import",
    "ImportFrom", "ImportAlias", "ImportStar", "Dot", "Global", "NameItem", "Name", "Attribute", "Call",
    "Await", "NamedExpr", "Subscript", "SubscriptElement", "Index", "Slice", "SimpleString",
    "BinaryOperation", "BitOr", "Ellipsis", "Tuple", "Element", "StarredElement",
})

_UNKNOWN = ["Ellipsis", {}]  # an expression the model cannot know anything about
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def skeleton(text: str, path: str = "<module>") -> list:
    """The skeleton of a module's source, as JSON-ready data.

    Raises SyntaxError, ValueError, RecursionError or MemoryError when the
    source cannot be parsed.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text, filename=path)
    reducer = _Reducer(walrus=":=" in text, yields="yield" in text)
    return ["Module", {"body": reducer.block(tree.body)}]


def build_module(data: list) -> cst.Module:
    """The LibCST module a skeleton describes (ValueError on data that is not one)."""
    module = _build(data)
    if not isinstance(module, cst.Module):
        raise ValueError("not a module skeleton")
    return module


def _build(data):
    if isinstance(data, str) or data is None:
        return data
    if not isinstance(data, list):
        raise ValueError("bad skeleton data")
    if len(data) == 2 and isinstance(data[0], str) and isinstance(data[1], dict):
        make = _MAKERS.get(data[0])
        if make is None:
            raise ValueError(f"unexpected node type {data[0]!r}")
        return make({key: _build(value) for key, value in data[1].items()})
    return [_build(item) for item in data]


def _maker(cls: type):
    """Build a node of ``cls`` without LibCST's validation: the reducer makes only
    valid shapes, and validating a hundred thousand nodes a large module costs
    as much as walking them. Default whitespace is shared (it is never walked)."""
    fields = dataclasses.fields(cls)
    defaults = {}
    for field in fields:
        if field.default is not dataclasses.MISSING:
            defaults[field.name] = field.default
        elif field.default_factory is not dataclasses.MISSING:
            defaults[field.name] = field.default_factory()
    names = [field.name for field in fields]
    known = frozenset(names)
    setter = object.__setattr__

    def make(values: dict):
        unknown = values.keys() - known
        if unknown:
            raise ValueError(f"{cls.__name__} has no field {sorted(unknown)[0]!r}")
        node = object.__new__(cls)
        for name in names:
            if name in values:
                setter(node, name, values[name])
            elif name in defaults:
                setter(node, name, defaults[name])
            else:
                raise ValueError(f"{cls.__name__} needs {name!r}")
        return node

    return make


_MAKERS = {name: _maker(getattr(cst, name)) for name in _TYPES}


def _line(*statements: list) -> list:
    return ["SimpleStatementLine", {"body": list(statements)}]


def _name(value: str) -> list:
    return ["Name", {"value": value}]


def _dotted(parts: str) -> list:
    names = parts.split(".")
    node = _name(names[0])
    for attr in names[1:]:
        node = ["Attribute", {"value": node, "attr": _name(attr)}]
    return node


class _Reducer:
    """ast statements -> skeleton statements, in source order (the order bindings are made)."""

    def __init__(self, walrus: bool, yields: bool):
        # Only a file that has them pays for searching dropped expressions for
        # walrus targets and yields (both bind or mark something).
        self._search = walrus or yields
        self._hoisted: List[list] = []

    # statements ----------------------------------------------------------
    def block(self, statements: Iterable[ast.stmt]) -> list:
        out: List[list] = []
        for statement in statements:
            self._statement(statement, out)
        return out

    def _emit(self, out: List[list], statement: Optional[list]) -> None:
        if statement is not None:
            out.append(statement if statement[0] in ("FunctionDef", "ClassDef", "With") else _line(statement))
        for hoisted in self._hoisted:
            out.append(_line(hoisted))
        self._hoisted = []

    def _statement(self, node: ast.stmt, out: List[list]) -> None:
        if isinstance(node, _FUNCTIONS):
            self._emit(out, self._function(node))
        elif isinstance(node, ast.ClassDef):
            bases = [["Arg", {"value": self.expr(base)}] for base in node.bases]
            self._hoisted = []  # a walrus in a base list binds nothing the index asks about
            self._emit(out, ["ClassDef", {"name": _name(node.name), "bases": bases,
                                          "body": ["IndentedBlock", {"body": self.block(node.body)}]}])
        elif isinstance(node, ast.Assign):
            targets = [["AssignTarget", {"target": self.target(t)}] for t in node.targets]
            self._emit(out, ["Assign", {"targets": targets, "value": self.expr(node.value)}])
        elif isinstance(node, ast.AnnAssign):
            value = self.expr(node.value) if node.value is not None else None
            annotation = ["Annotation", {"annotation": self.expr(node.annotation)}]
            self._emit(out, ["AnnAssign", {"target": self.target(node.target), "annotation": annotation, "value": value}])
        elif isinstance(node, ast.AugAssign):
            self.search(node.value)
            statement = None
            if isinstance(node.target, ast.Name):  # the model's "augmented" binding: not an object it knows
                statement = ["AugAssign", {"target": _name(node.target.id), "operator": ["AddAssign", {}], "value": _UNKNOWN}]
            self._emit(out, statement)
        elif isinstance(node, ast.Return):
            self._emit(out, ["Return", {"value": self.expr(node.value) if node.value is not None else None}])
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            # the loop variable holds nothing the model knows: bound like `target = ...`
            self.search(node.iter)
            self._emit(out, ["Assign", {"targets": [["AssignTarget", {"target": self.target(node.target)}]], "value": _UNKNOWN}])
            out.extend(self.block(node.body) + self.block(node.orelse))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            self._with(node, out)
        elif isinstance(node, (ast.If, ast.While)):
            self.search(node.test)
            self._emit(out, None)
            out.extend(self.block(node.body) + self.block(node.orelse))
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            out.extend(self.block(node.body))  # type: ignore[attr-defined]
            for handler in node.handlers:  # type: ignore[attr-defined]
                if handler.name:  # bound to the exception: nothing the model knows
                    out.append(_line(["Assign", {"targets": [["AssignTarget", {"target": _name(handler.name)}]], "value": _UNKNOWN}]))
                out.extend(self.block(handler.body))
            out.extend(self.block(node.orelse) + self.block(node.finalbody))  # type: ignore[attr-defined]
        elif type(node).__name__ == "Match":
            self.search(node.subject)  # type: ignore[attr-defined]
            self._emit(out, None)
            for case in node.cases:  # type: ignore[attr-defined]
                out.extend(self.block(case.body))
        elif isinstance(node, ast.Import):
            aliases = []
            for alias in node.names:
                asname = ["AsName", {"name": _name(alias.asname)}] if alias.asname else None
                aliases.append(["ImportAlias", {"name": _dotted(alias.name), "asname": asname}])
            self._emit(out, ["Import", {"names": aliases}])
        elif isinstance(node, ast.ImportFrom):
            self._emit(out, self._import_from(node))
        elif isinstance(node, ast.Global):
            self._emit(out, ["Global", {"names": [["NameItem", {"name": _name(n)}] for n in node.names]}])
        else:  # expression statements, assert, raise, del...: only what they bind or yield
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.search(child)
            self._emit(out, None)

    def _function(self, node) -> list:
        args = node.args
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        params = [self._param(a, d) for a, d in zip(positional, defaults)]
        fields = {
            "name": _name(node.name),
            "params": ["Parameters", {
                "posonly_params": params[: len(args.posonlyargs)],
                "params": params[len(args.posonlyargs):],
                "kwonly_params": [self._param(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults)],
                "star_kwarg": self._param(args.kwarg, None, "**") if args.kwarg else None,
            }],
            # only a decorator's name is read (``staticmethod``, ``classmethod``)
            "decorators": [["Decorator", {"decorator": self.expr(d.func if isinstance(d, ast.Call) else d)}]
                           for d in node.decorator_list],
            "returns": ["Annotation", {"annotation": self.expr(node.returns)}] if node.returns is not None else None,
        }
        if args.vararg is not None:
            fields["params"][1]["star_arg"] = self._param(args.vararg, None, "*")
        elif args.kwonlyargs:
            fields["params"][1]["star_arg"] = ["ParamStar", {}]  # the bare `*`
        self._hoisted = []  # decorators and defaults: nothing bound there is asked about
        body = _slice(self.block(node.body))
        fields["body"] = ["IndentedBlock", {"body": body}]
        _drop_unread_params(fields["params"][1], _reads(body))
        if isinstance(node, ast.AsyncFunctionDef):
            fields["asynchronous"] = ["Asynchronous", {}]
        return ["FunctionDef", fields]

    def _param(self, arg: ast.arg, default: Optional[ast.expr], star: Optional[str] = None) -> list:
        fields = {"name": _name(arg.arg)}
        if arg.annotation is not None:
            fields["annotation"] = ["Annotation", {"annotation": self.expr(arg.annotation)}]
        if default is not None:
            fields["default"] = self.expr(default)
        if star:
            fields["star"] = star
        return ["Param", fields]

    def _with(self, node, out: List[list]) -> None:
        items = []
        for item in node.items:
            if item.optional_vars is None:
                self.search(item.context_expr)
                continue
            items.append(["WithItem", {"item": self.expr(item.context_expr),
                                       "asname": ["AsName", {"name": self.target(item.optional_vars)}]}])
        self._emit(out, None)
        if items:  # the body follows the statement: same scope, same order of bindings
            fields = {"items": items, "body": ["IndentedBlock", {"body": []}]}
            if isinstance(node, ast.AsyncWith):
                fields["asynchronous"] = ["Asynchronous", {}]
            out.append(["With", fields])
        out.extend(self.block(node.body))

    def _import_from(self, node: ast.ImportFrom) -> list:
        fields = {
            "module": _dotted(node.module) if node.module else None,
            "relative": [["Dot", {}]] * node.level,
        }
        if any(alias.name == "*" for alias in node.names):
            fields["names"] = ["ImportStar", {}]
        else:
            fields["names"] = [
                ["ImportAlias", {"name": _name(alias.name),
                                 "asname": ["AsName", {"name": _name(alias.asname)}] if alias.asname else None}]
                for alias in node.names
            ]
        return ["ImportFrom", fields]

    # expressions ---------------------------------------------------------
    def target(self, node: ast.expr) -> list:
        """An assignment target: names, attributes and unpacking bind; anything else is kept inert."""
        if isinstance(node, ast.Name):
            return _name(node.id)
        if isinstance(node, ast.Attribute):
            return ["Attribute", {"value": self.expr(node.value), "attr": _name(node.attr)}]
        if isinstance(node, (ast.Tuple, ast.List)):
            elements = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    elements.append(["StarredElement", {"value": self.target(element.value)}])
                else:
                    elements.append(["Element", {"value": self.target(element)}])
            return ["Tuple", {"elements": elements}]
        self.search(node)
        return ["Subscript", {"value": _UNKNOWN, "slice": [["SubscriptElement", {"slice": ["Index", {"value": _UNKNOWN}]}]]}]

    def expr(self, node: ast.expr) -> list:
        """The kinds of expression the model evaluates, kept; any other becomes ``...``."""
        if isinstance(node, ast.Name):
            return _name(node.id)
        if isinstance(node, ast.Attribute):
            return ["Attribute", {"value": self.expr(node.value), "attr": _name(node.attr)}]
        if isinstance(node, ast.Call):
            return ["Call", {"func": self.expr(node.func), "args": self._arguments(node)}]
        if isinstance(node, ast.Await):
            return ["Await", {"expression": self.expr(node.value)}]
        if isinstance(node, ast.NamedExpr):
            return ["NamedExpr", {"target": self.target(node.target), "value": self.expr(node.value)}]
        if isinstance(node, ast.Subscript):
            return ["Subscript", {"value": self.expr(node.value), "slice": self._slice(node.slice)}]
        if isinstance(node, ast.Constant):
            if node.value is None or node.value is True or node.value is False:
                return _name(repr(node.value))
            if isinstance(node.value, (str, bytes)):
                return ["SimpleString", {"value": repr(node.value)}]
            return _UNKNOWN
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return ["BinaryOperation", {"left": self.expr(node.left), "operator": ["BitOr", {}], "right": self.expr(node.right)}]
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            self._yield(node)
            return _UNKNOWN
        self.search(node)
        return _UNKNOWN

    def _arguments(self, call: ast.Call) -> list:
        # LibCST keeps arguments in source order; ast splits positional and keyword ones.
        ordered = sorted(
            [(a.lineno, a.col_offset, a) for a in call.args] + [(k.lineno, k.col_offset, k) for k in call.keywords],
            key=lambda item: (item[0], item[1]),
        )
        args = []
        for position, (_, _, arg) in enumerate(ordered):
            if isinstance(arg, ast.keyword):
                fields = {"value": self._argument(arg.value, position)}
                if arg.arg is None:
                    fields["star"] = "**"
                else:
                    fields["keyword"] = _name(arg.arg)
            elif isinstance(arg, ast.Starred):
                fields = {"value": self._argument(arg.value, position), "star": "*"}
            else:
                fields = {"value": self._argument(arg, position)}
            args.append(["Arg", fields])
        return args

    def _argument(self, node: ast.expr, position: int) -> list:
        """What the model reads of an argument is a name or a type (``Depends(get_db)``,
        ``sessionmaker(engine, class_=AsyncSession)``, ``cast("Pool", x)``); the
        argument's place is kept, a value computed in it is not."""
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
            return self.expr(node)
        if position == 0 and isinstance(node, ast.Constant) and isinstance(node.value, str):
            return self.expr(node)  # a type named in a string
        self.search(node)
        return _UNKNOWN

    def _slice(self, node: ast.expr) -> list:
        if type(node).__name__ == "Index":  # Python 3.8's wrapper
            node = node.value  # type: ignore[attr-defined]
        # `x[a, b]` has two elements; `x[()]` one, an empty tuple
        elements = node.elts if isinstance(node, ast.Tuple) and node.elts else [node]
        out = []
        for element in elements:
            if isinstance(element, ast.Slice):
                for part in (element.lower, element.upper, element.step):
                    if part is not None:
                        self.search(part)
                out.append(["SubscriptElement", {"slice": ["Slice", {"lower": None, "upper": None}]}])
            else:
                out.append(["SubscriptElement", {"slice": ["Index", {"value": self.expr(element)}]}])
        return out

    def _yield(self, node) -> None:
        value = self.expr(node.value) if isinstance(node, ast.Yield) and node.value is not None else None
        self._hoisted.append(["Expr", {"value": ["Yield", {"value": value}]}])

    def search(self, node: ast.AST) -> None:
        """A dropped expression: keep the walrus bindings and yields inside it (not in lambdas)."""
        if not self._search:
            return
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.NamedExpr):
                self._hoisted.append(["Expr", {"value": self.expr(current)}])
                continue
            if isinstance(current, (ast.Yield, ast.YieldFrom)):
                self._yield(current)
                continue
            if isinstance(current, ast.Lambda):
                continue
            stack.extend(reversed(list(ast.iter_child_nodes(current))))


# A function body, flattened, is sliced to what its summary and its class need:
# returns and yields, attribute assignments (``self.x = ...``, ``app.state.x = ...``),
# ``global`` names, and - back to a fixed point - every statement binding a name
# those read. Other locals are never looked up when a value is asked for.
def _slice(body: List[list]) -> List[list]:
    facts = [(_unwrap(statement), statement) for statement in body]
    relevant: set = set()
    kept = [False] * len(facts)
    changed = True
    while changed:
        changed = False
        for position, (statement, _) in enumerate(facts):
            if kept[position]:
                continue
            bound = _binds(statement)
            if _is_root(statement) or bound & relevant:
                kept[position] = changed = True
                relevant |= _reads(statement)
                if statement[0] == "Global":
                    relevant |= {item[1]["name"][1]["value"] for item in statement[1]["names"]}
    return [original for position, (_, original) in enumerate(facts) if kept[position]]


def _drop_unread_params(parameters: dict, read: set) -> None:
    """A parameter nothing kept reads is never looked up. The first of the regular
    parameters stays, whatever it is: a method's receiver is recognised by place."""
    def wanted(param: list) -> bool:
        return param[1]["name"][1]["value"] in read

    parameters["posonly_params"] = [p for p in parameters["posonly_params"] if wanted(p)]
    parameters["params"] = parameters["params"][:1] + [p for p in parameters["params"][1:] if wanted(p)]
    parameters["kwonly_params"] = [p for p in parameters["kwonly_params"] if wanted(p)]
    # a parameter without a default may not follow one with a default: keep the
    # defaults' places (their values are never evaluated once unread)
    seen_default = False
    for param in parameters["posonly_params"] + parameters["params"]:
        if "default" in param[1]:
            seen_default = True
        elif seen_default:
            param[1]["default"] = _UNKNOWN
    star = parameters.get("star_arg")
    if star is not None and star[0] == "Param" and not wanted(star):
        star = ["ParamStar", {}]
    if star is not None and star[0] == "ParamStar" and not parameters["kwonly_params"]:
        star = None
    if star is None:
        parameters.pop("star_arg", None)
    else:
        parameters["star_arg"] = star
    if parameters.get("star_kwarg") is not None and not wanted(parameters["star_kwarg"]):
        del parameters["star_kwarg"]


def _unwrap(statement: list) -> list:
    return statement[1]["body"][0] if statement[0] == "SimpleStatementLine" else statement


def _is_root(statement: list) -> bool:
    kind, fields = statement
    if kind in ("Return", "Global"):
        return True
    if kind == "Expr":
        return fields["value"][0] == "Yield"
    if kind == "Assign":
        return any(_has_attribute(target[1]["target"]) for target in fields["targets"])
    if kind == "AnnAssign":
        return _has_attribute(fields["target"])
    return False


def _has_attribute(target: list) -> bool:
    if target[0] == "Attribute":
        return True
    if target[0] == "Tuple":
        return any(_has_attribute(element[1]["value"]) for element in target[1]["elements"])
    return False


def _binds(statement: list) -> set:
    kind, fields = statement
    if kind == "Assign":
        return set().union(*(_target_names(t[1]["target"]) for t in fields["targets"]))
    if kind in ("AnnAssign", "AugAssign"):
        return _target_names(fields["target"])
    if kind == "Expr" and fields["value"][0] == "NamedExpr":
        return _target_names(fields["value"][1]["target"])
    if kind in ("FunctionDef", "ClassDef"):
        return {fields["name"][1]["value"]}
    if kind == "With":
        return set().union(*(_target_names(item[1]["asname"][1]["name"]) for item in fields["items"]))
    if kind == "Import":
        return {alias[1]["asname"][1]["name"][1]["value"] if alias[1]["asname"] else _first_name(alias[1]["name"])
                for alias in fields["names"]}
    if kind == "ImportFrom" and isinstance(fields["names"], list) and fields["names"] and fields["names"][0] != "ImportStar":
        return {alias[1]["asname"][1]["name"][1]["value"] if alias[1]["asname"] else alias[1]["name"][1]["value"]
                for alias in fields["names"]}
    return set()


def _target_names(target: list) -> set:
    if target[0] == "Name":
        return {target[1]["value"]}
    if target[0] == "Tuple":
        return set().union(*(_target_names(element[1]["value"]) for element in target[1]["elements"]))
    return set()


def _first_name(dotted: list) -> str:
    while dotted[0] == "Attribute":
        dotted = dotted[1]["value"]
    return dotted[1]["value"]


def _reads(data) -> set:
    """Every name a skeleton statement or expression reads (over-approximated: an
    assignment's target names count too; attribute and keyword names do not)."""
    found: set = set()
    stack = [data]
    while stack:
        current = stack.pop()
        if not isinstance(current, list) or not current:
            continue
        if isinstance(current[0], str) and len(current) == 2 and isinstance(current[1], dict):
            kind, fields = current
            if kind == "Name":
                found.add(fields["value"])
                continue
            for key, value in fields.items():
                if key in ("attr", "keyword") or (kind in ("FunctionDef", "ClassDef") and key == "name"):
                    continue
                stack.append(value)
        else:
            stack.extend(current)
    return found
