"""The ADB203 fix: a startup + shutdown `on_event` pair becomes one `lifespan`.

```
@app.on_event("startup")            @asynccontextmanager
async def startup():                async def lifespan(app: FastAPI):
    await database.connect()   ->       await database.connect()
                                        yield
@app.on_event("shutdown")               await database.disconnect()
async def shutdown():
    await database.disconnect()     app = FastAPI(lifespan=lifespan)
```
Bodies are moved verbatim, comments included. Offered only for exactly one
startup and one shutdown handler of one app built in this module without a
`lifespan=`, and never when a handler takes parameters, returns early, or is
referred to elsewhere.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from asyncdb_lint.fixes import UNSAFE, Fix, insert_argument
from asyncdb_lint.model.semantic import FunctionInfo, SemanticModel


class _NoFix(Exception):
    pass


def lifespan_fix(model: SemanticModel, app_name: str, handlers: Sequence[tuple]) -> Optional[Fix]:
    """``handlers``: (event, function) pairs registered with on_event on ``app_name``."""
    try:
        return _build(model, app_name, handlers)
    except _NoFix:
        return None


def _build(model: SemanticModel, app_name: str, handlers: Sequence[tuple]) -> Fix:
    startups = [f for event, f in handlers if event == "startup"]
    shutdowns = [f for event, f in handlers if event == "shutdown"]
    if len(startups) != 1 or len(shutdowns) != 1 or len(handlers) != 2:
        raise _NoFix()
    startup, shutdown = startups[0], shutdowns[0]
    module = model.module
    body = list(module.body)
    for handler in (startup, shutdown):
        _check_handler(model, handler, body)
    if "lifespan" in model.module_scope.bindings:
        raise _NoFix()
    app_index, app_call = _app_statement(model, app_name, body)
    decorator = _decorator_name(model)
    startup_index, shutdown_index = body.index(startup.node), body.index(shutdown.node)
    annotation = module.code_for_node(app_call.func)
    import_index = _last_import_index(body) if decorator == "asynccontextmanager" and not _imports_it(model) else None

    def rewrite(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Module)
        statements = list(updated.body)
        lifespan = _lifespan_function(
            statements[startup_index], statements[shutdown_index], app_name, annotation, decorator
        )
        app_statement = statements[app_index]
        call_path = _replace_app_call(app_statement)
        new_body: List[cst.CSTNode] = []
        for index, statement in enumerate(statements):
            if index in (startup_index, shutdown_index):
                continue
            if index == app_index:
                new_body.append(lifespan)
                statement = call_path.with_changes(leading_lines=_two_blank_lines(call_path.leading_lines))
            new_body.append(statement)
            if import_index is not None and index == import_index:
                new_body.append(cst.parse_statement("from contextlib import asynccontextmanager\n"))
        return updated.with_changes(body=new_body)

    fix = Fix(UNSAFE, "Move the startup and shutdown handlers into a `lifespan` context manager", exclusive=True)
    return fix.change(module, rewrite)


def _check_handler(model: SemanticModel, handler: FunctionInfo, body: list) -> None:
    if handler.node not in body:
        raise _NoFix()  # not a module-level function
    params = handler.node.params
    if params.params or params.star_arg not in (cst.MaybeSentinel.DEFAULT, None) or params.kwonly_params:
        raise _NoFix()
    if handler.returns or handler.yields:
        raise _NoFix()
    if len(handler.node.decorators) != 1:
        raise _NoFix()
    if model.name_uses(handler.name, model.module_scope):
        raise _NoFix()  # referred to elsewhere: removing it would break that code
    if not isinstance(handler.node.body, cst.IndentedBlock):
        raise _NoFix()


def _app_statement(model: SemanticModel, app_name: str, body: list):
    bindings = [b for b in model.module_scope.bindings.get(app_name, []) if b.how != "none"]
    if len(bindings) != 1 or bindings[0].how != "value" or not isinstance(bindings[0].node, cst.Call):
        raise _NoFix()
    call = bindings[0].node
    if any(arg.keyword is not None and arg.keyword.value == "lifespan" for arg in call.args):
        raise _NoFix()
    statement = model.statement_of(call)
    if statement not in body or not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        raise _NoFix()
    return body.index(statement), call


def _replace_app_call(statement: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
    assign = statement.body[0]
    call = assign.value  # type: ignore[attr-defined]
    argument = cst.Arg(
        cst.Name("lifespan"), keyword=cst.Name("lifespan"),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    new_call = insert_argument(call, len(call.args), argument)
    return statement.with_changes(body=[assign.with_changes(value=new_call)])


def _lifespan_function(startup, shutdown, app_name: str, annotation: str, decorator: str) -> cst.FunctionDef:
    template = cst.parse_statement(f"@{decorator}\nasync def lifespan({app_name}: {annotation}):\n    yield\n")
    assert isinstance(template, cst.FunctionDef)
    yield_statement = template.body.body[0]  # type: ignore[attr-defined]
    yield_statement = yield_statement.with_changes(leading_lines=list(startup.body.footer))
    shutdown_statements = list(shutdown.body.body)
    moved_comments = [
        *[line for line in shutdown.leading_lines if line.comment is not None],
        *_decorator_comments(shutdown),
        *_comment_lines(shutdown.body.header),
    ]
    if shutdown_statements and moved_comments:
        first = shutdown_statements[0]
        shutdown_statements[0] = first.with_changes(leading_lines=[*moved_comments, *first.leading_lines])
    block = template.body.with_changes(
        header=startup.body.header,
        body=[*startup.body.body, yield_statement, *shutdown_statements],
        footer=shutdown.body.footer,
    )
    leading = [*_two_blank_lines(startup.leading_lines), *_decorator_comments(startup)]
    return template.with_changes(body=block, leading_lines=leading)


def _decorator_comments(function: cst.FunctionDef) -> List[cst.EmptyLine]:
    """Comments written on (or between) the removed `@app.on_event(...)` lines."""
    lines: List[cst.EmptyLine] = []
    for decorator in function.decorators:
        lines.extend(line for line in decorator.leading_lines if line.comment is not None)
        lines.extend(_comment_lines(decorator.trailing_whitespace))
    return lines


def _comment_lines(header: cst.TrailingWhitespace) -> List[cst.EmptyLine]:
    if header.comment is None:
        return []
    return [cst.EmptyLine(comment=header.comment)]


def _two_blank_lines(lines: Sequence[cst.EmptyLine]) -> List[cst.EmptyLine]:
    comments = [line for line in lines if line.comment is not None]
    return [cst.EmptyLine(), cst.EmptyLine(), *comments]


def _decorator_name(model: SemanticModel) -> str:
    for name, bindings in model.module_scope.bindings.items():
        for binding in bindings:
            if binding.how == "extern" and binding.data == "contextlib.asynccontextmanager":
                return name
            if binding.how == "extern" and binding.data == "contextlib" and name == "contextlib":
                return "contextlib.asynccontextmanager"
    return "asynccontextmanager"


def _imports_it(model: SemanticModel) -> bool:
    return _decorator_name(model) != "asynccontextmanager" or any(
        b.how == "extern" and b.data == "contextlib.asynccontextmanager"
        for b in model.module_scope.bindings.get("asynccontextmanager", [])
    )


def _last_import_index(body: list) -> int:
    last = -1
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            last = index
    if last < 0:
        raise _NoFix()
    return last
