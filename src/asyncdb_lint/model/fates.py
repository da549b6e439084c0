"""What happens to a value: awaited, discarded, stored, used as data...

``usage_of`` says how the code right around an expression uses its value;
``fate_of`` follows a value stored in a local name to its uses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple, Union

import libcst as cst

from asyncdb_lint.model import frameworks
from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.scopes import Binding, FunctionInfo, Scope, dotted_name, outside_comprehensions
from asyncdb_lint.model.values import Obj

_COMPREHENSION_TYPES = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


@dataclass(frozen=True)
class Usage:
    """How the value of an expression is used by the code around it.

    ``how`` is one of: ``awaited``, ``async_with``, ``async_for``, ``with``,
    ``discarded``, ``stored`` (``name`` says where), ``stored_elsewhere``
    (an attribute, subscript or global), ``returned``, ``scheduled`` (handed
    to a coroutine runner), ``collected`` (put into a container),
    ``handed_over`` (an argument of a call that is itself awaited or
    scheduled), ``passed`` (an argument of another call), ``consumed`` (an
    argument of a builtin that uses it synchronously), ``iterated``,
    ``subscripted``, ``attribute``, ``truth``, ``operand``, ``decorator``,
    ``protocol`` (driven by hand: ``x.__aenter__()``, ``x.start()``),
    ``expected_to_raise`` (a bare call inside ``pytest.raises``), ``unknown``.
    """

    how: str
    node: cst.CSTNode  # the node whose value is used (after walking wrappers)
    context: Optional[cst.CSTNode] = None  # the node that uses it
    name: Optional[str] = None


DATA_USES = frozenset({"consumed", "iterated", "subscripted", "attribute", "truth", "operand"})


class FateQuestions:
    """How values are used (mixed into :class:`SemanticModel`)."""

    def usage_of(self, node: cst.CSTNode) -> Usage:
        """How the value of ``node`` is used by its surroundings."""
        parent = self.parents.get(node)
        if parent is None:
            return Usage("unknown", node)
        if isinstance(parent, cst.Await):
            return Usage("awaited", node, parent)
        if isinstance(parent, cst.Expr):
            if self.expects_raise(parent):
                return Usage("expected_to_raise", node, parent)  # a test: the call itself must fail
            return Usage("discarded", node, parent)
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node:
            return self._assignment_usage(node, parent)
        if isinstance(parent, cst.AssignTarget):
            return Usage("unknown", node, parent)
        if isinstance(parent, cst.NamedExpr) and parent.value is node:
            # `if (row := db.fetch_one(q)) is not None: ...`: judged by what happens to `row`
            target = parent.target
            scope = self.scope_at(node)
            if isinstance(target, cst.Name) and scope.kind in ("function", "lambda", "comprehension"):
                return Usage("stored", node, parent, target.value)
            return Usage("stored_elsewhere", node, parent)
        if isinstance(parent, cst.AugAssign):
            return Usage("operand", node, parent)
        if isinstance(parent, (cst.Return, cst.Yield, cst.Lambda)):
            return Usage("returned", node, parent)
        if isinstance(parent, cst.Arg):
            return self._argument_usage(node, parent)
        if isinstance(parent, (cst.Element, cst.DictElement, cst.StarredDictElement)):
            return self._element_usage(node, parent)
        if isinstance(parent, cst.DictComp) or (
            isinstance(parent, _COMPREHENSION_TYPES) and getattr(parent, "elt", None) is node
        ):
            return Usage("collected", node, parent)
        if isinstance(parent, cst.Subscript) and parent.value is node:
            return Usage("subscripted", node, parent)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            attr = parent.attr.value
            if (attr.startswith("__") and attr.endswith("__")) or attr == "start":
                # `x.__aenter__()`, SQLAlchemy's `await trans.start()`: driving it by hand
                return Usage("protocol", node, parent)
            return Usage("attribute", node, parent)
        if isinstance(parent, cst.For) and parent.iter is node:
            return Usage("async_for" if parent.asynchronous else "iterated", node, parent)
        if isinstance(parent, cst.CompFor) and parent.iter is node:
            return Usage("async_for" if parent.asynchronous else "iterated", node, parent)
        if isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.CompIf, cst.Assert)) and getattr(parent, "test", None) is node:
            return Usage("truth", node, parent)
        if isinstance(parent, (cst.BooleanOperation, cst.UnaryOperation)):
            return Usage("truth", node, parent)
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget, cst.BinaryOperation, cst.FormattedStringExpression)):
            return Usage("operand", node, parent)
        if isinstance(parent, cst.WithItem):
            grand = self.parents.get(parent)
            asynchronous = isinstance(grand, cst.With) and grand.asynchronous is not None
            return Usage("async_with" if asynchronous else "with", node, grand)
        if isinstance(parent, cst.Decorator):
            return Usage("decorator", node, parent)
        if isinstance(parent, cst.IfExp):  # a branch of `a if c else b`: its use is the IfExp's
            return self.usage_of(parent)
        return Usage("unknown", node, parent)

    def _element_usage(self, node: cst.CSTNode, element: cst.CSTNode) -> Usage:
        """A value put in a list/tuple/dict literal is judged by what happens to the literal.

        Collected for ``gather(*coros)`` later: fine. The literal returned as a
        response or handed to a data sink: the value is used as data.
        """
        container = self.parents.get(element)
        if isinstance(element, cst.DictElement) and element.key is node:
            return Usage("operand", node, element)
        if not isinstance(container, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            return Usage("collected", node, element)
        unpacked = self._unpacked_into(container, element)
        if unpacked is not None:  # `a, b = x(), y()`: each value goes to its own name
            return self._assignment_usage(node, unpacked[0], unpacked[1])
        outer = self.fate_of(container)
        if outer.how in ("returned", "returned_as_data") and self.returns_as_data(outer):
            return Usage("returned_as_data", node, outer.context)
        if outer.how == "consumed" and isinstance(outer.context, cst.Call):
            scope = self.scope_at(outer.context)
            if self.qualname_of(outer.context.func, scope) in lib.DATA_SINKS:
                return Usage("consumed", node, outer.context)
        return Usage("collected", node, element)

    def _unpacked_into(self, container: cst.CSTNode, element: cst.CSTNode) -> Optional[Tuple[cst.Assign, cst.BaseExpression]]:
        """(statement, target) when ``container`` is unpacked element by element: ``a, b = x, y``."""
        statement = self.parents.get(container)
        if not isinstance(container, (cst.Tuple, cst.List)) or not isinstance(statement, cst.Assign):
            return None
        if statement.value is not container or len(statement.targets) != 1:
            return None
        target = statement.targets[0].target
        if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != len(container.elements):
            return None
        if any(isinstance(e, cst.StarredElement) for e in (*target.elements, *container.elements)):
            return None
        position = next(i for i, e in enumerate(container.elements) if e is element)
        return statement, target.elements[position].value

    def _assignment_usage(
        self, node: cst.CSTNode, statement: Union[cst.Assign, cst.AnnAssign], target: Optional[cst.BaseExpression] = None
    ) -> Usage:
        targets = [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else [statement.target]
        if target is None and len(targets) != 1:
            return Usage("stored_elsewhere", node, statement)
        target = target if target is not None else targets[0]
        if isinstance(target, cst.Name):
            if target.value == "_":
                return Usage("discarded", node, statement)
            scope = self.scope_at(node)
            if target.value in scope.globals or scope.kind in ("module", "class"):
                return Usage("stored_elsewhere", node, statement, target.value)
            return Usage("stored", node, statement, target.value)
        if isinstance(target, (cst.Tuple, cst.List)):
            return Usage("iterated", node, statement)  # unpacking iterates
        return Usage("stored_elsewhere", node, statement)

    def _argument_usage(self, node: cst.CSTNode, arg: cst.Arg) -> Usage:
        call = self.parents.get(arg)
        if not isinstance(call, cst.Call):
            return Usage("unknown", node, arg)
        scope = self.scope_at(call)
        qualname = self.qualname_of(call.func, scope)
        if qualname in lib.COROUTINE_RUNNERS:
            return Usage("scheduled", node, call)
        if qualname in lib.DATA_SINKS:
            return Usage("consumed", node, call)
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value.startswith("assert") and (
            isinstance(func.value, cst.Name) and func.value.value == "self"
        ):
            return Usage("consumed", node, call)  # unittest's `self.assertEqual(...)` compares values
        if isinstance(call.func, cst.Attribute) and isinstance(self.value_of(call.func.value, scope), Obj):
            return Usage("consumed", node, call)  # DB APIs never await their arguments
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in lib.COROUTINE_RUNNER_METHODS:
                return Usage("scheduled", node, call)
            if method in ("append", "appendleft", "extend", "add", "insert", "put", "put_nowait", "setdefault"):
                return Usage("collected", node, call)
        if isinstance(call.func, cst.Name) and call.func.value in lib.SYNC_CONSUMERS and qualname is None:
            if not self.binds(call.func.value, scope):  # the builtin, not a shadowing name
                how = "iterated" if call.func.value in lib.ITERATING_BUILTINS and arg.star != "**" else "consumed"
                return Usage(how, node, call)
        outer = self.usage_of(call)
        if outer.how in ("awaited", "scheduled", "async_with", "returned", "collected", "handed_over"):
            return Usage("handed_over", node, call)
        return Usage("passed", node, call)

    def fate_of(self, node: cst.CSTNode) -> Usage:
        """Like :meth:`usage_of`, but follows a value stored in a local name.

        ``x = db.fetch_all(q)`` is judged by what the function does with ``x``:
        used as data if it is indexed, iterated, tested or consumed before
        anything awaits it; handled if any use awaits, schedules, returns,
        collects or passes it on; used as data if a use reads it and none
        handles it; discarded if nothing reads it.
        """
        usage = self.usage_of(node)
        if usage.how != "stored" or usage.name is None:
            return usage
        scope = self.scope_at(node)
        home = outside_comprehensions(scope)
        names = self._not_rebound(node, usage.name, home, self.name_uses(usage.name, home))
        if not names:
            return Usage("discarded", node, usage.context, usage.name)
        start = self.order.get(node, -1)
        names.sort(key=lambda name: self.order.get(name, -1))
        data_use: Optional[Usage] = None
        handled: Optional[Usage] = None
        handled_since = False  # a use after the call handled it (the ones before run in earlier loop rounds)
        for name in names:
            use = self.usage_of(name)
            since = self.order.get(name, -1) > start
            if use.how in DATA_USES and since and not handled_since:
                # definitely wrong before anything could await it, whatever follows
                return Usage(use.how, use.node, use.context, usage.name)
            if use.how in DATA_USES or use.how == "passed":
                data_use = data_use or use
            elif use.how in ("returned", "returned_as_data") and self.returns_as_data(use):
                data_use = data_use or Usage("returned_as_data", use.node, use.context)
            elif use.how != "discarded":
                handled = handled or Usage("handled", node, use.context, usage.name)
                handled_since = handled_since or since
        if handled is not None:
            return handled
        if data_use is None:
            return Usage("discarded", node, usage.context, usage.name)
        return Usage(data_use.how, data_use.node, data_use.context, usage.name)

    def _not_rebound(self, node: cst.CSTNode, name: str, scope: Scope, uses: List[cst.Name]) -> List[cst.Name]:
        """The uses of ``name`` that can read the value ``node`` stored in it.

        A later statement of the same block that binds the name again (``x =
        f()`` then ``x = await f()``) ends it: every path from the store to a
        use outside the statements between them goes through the rebinding.
        """
        block, first = self.statement_in_block(node)
        if block is None:
            return uses
        body = list(block.body)
        end = None
        for binding in scope.bindings.get(name, ()):
            if binding.node is None or binding.node is node:
                continue
            other_block, index = self.statement_in_block(binding.node)
            if other_block is block and index > first and (end is None or index < end):
                end = index
        if end is None:
            return uses
        kept = {id(statement) for statement in body[first:end + 1]}  # the rebinding reads it first: `q = q.where(...)`
        return [use for use in uses if any(id(ancestor) in kept for ancestor in self.ancestors(use))]

    def reaching_bindings(self, name: str, use: cst.CSTNode, bindings: List[Binding]) -> List[Binding]:
        """The bindings of ``name`` that may reach ``use``.

        A plain ``name = ...`` statement earlier in a block that holds the use
        (directly or in a nested statement) hides every binding before it -
        the parameter, an earlier assignment: ``name = int(name)`` then
        ``f"... {name}"``. Bindings from that statement to the use are kept.
        """
        child: cst.CSTNode = use
        for ancestor in self.ancestors(use):
            if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                break
            if isinstance(ancestor, (cst.IndentedBlock, cst.Module)):
                body = list(ancestor.body)
                index = next((i for i, statement in enumerate(body) if statement is child), None)
                if index is not None:
                    for start in range(index - 1, -1, -1):
                        if _assigns_plainly(body[start], name):
                            kept = {id(statement) for statement in body[start:index + 1]}
                            return [
                                binding for binding in bindings
                                if binding.node is not None
                                and any(id(node) in kept for node in (binding.node, *self.ancestors(binding.node)))
                            ]
            child = ancestor
        return bindings

    def statement_in_block(self, node: cst.CSTNode) -> Tuple[Optional[cst.CSTNode], int]:
        """The block (an indented block or the module) holding the statement of ``node``, and its index there."""
        child = node
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.IndentedBlock, cst.Module)):
                for index, statement in enumerate(ancestor.body):
                    if statement is child:
                        return ancestor, index
                return None, -1
            child = ancestor
        return None, -1

    def expects_raise(self, statement: cst.CSTNode, of: Optional[frozenset] = None) -> bool:
        """Inside ``with pytest.raises(...)`` / ``self.assertRaises...(...)`` of its
        function (expecting one of the exceptions named in ``of``, when given)."""
        for ancestor in self.ancestors(statement):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
                return False
            if isinstance(ancestor, cst.With):
                for item in ancestor.items:
                    if isinstance(item.item, cst.Call):
                        name = dotted_name(item.item.func) or ""
                        last = name.rsplit(".", 1)[-1]
                        if last == "raises" or last.startswith("assertRaises"):
                            args = item.item.args
                            expected = dotted_name(args[0].value) if args else None
                            if of is None or (expected or "").rsplit(".", 1)[-1] in of:
                                return True
        return False

    def returns_as_data(self, usage: Usage) -> bool:
        """Whether a returned value reaches someone who will not await it.

        True in an ``async def`` (its caller awaits the function and gets the
        coroutine as its result) and in a request handler (the framework
        serialises what it returns); false in a plain helper or lambda, whose
        caller may await what it hands back.
        """
        if isinstance(usage.context, cst.Lambda):
            return False
        scope = self.scope_at(usage.node)
        function_scope = scope.function_scope
        if function_scope is None or function_scope.kind != "function" or function_scope.function is None:
            return False
        function = function_scope.function
        if function.is_generator:
            return False
        return function.is_async or self.is_request_handler(function)

    def is_request_handler(self, function: FunctionInfo) -> bool:
        """Decorated as a route of an app or router of a framework that runs a plain
        ``def`` handler in a threadpool and serialises what it returns (FastAPI,
        Starlette). Where requests run, for every framework: model/requests.py."""
        outer = function.scope.parent or self.module_scope
        for decorator in function.node.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
                if expr.func.attr.value in lib.ROUTE_DECORATORS:
                    receiver = self.value_of(expr.func.value, outer)
                    if isinstance(receiver, Obj) and receiver.type.app \
                            and receiver.type.library in frameworks.THREADPOOL_FRAMEWORKS:
                        return True
        return False

    def name_uses(self, name: str, scope: Scope) -> List[cst.Name]:
        """Loads of ``name`` in ``scope`` (and scopes nested in it that do not rebind it)."""
        found = list(scope.loads.get(name, ()))
        for child in self._child_scopes.get(scope, ()):
            if name not in child.bindings:
                found.extend(self.name_uses(name, child))
        return found

    @property
    def _child_scopes(self) -> Dict[Scope, List[Scope]]:
        children = self.__dict__.get("_children")
        if children is None:
            children = defaultdict(list)
            for scope in self.scopes:
                if scope.parent is not None:
                    children[scope.parent].append(scope)
            self.__dict__["_children"] = children
        return children


def _assigns_plainly(statement: cst.CSTNode, name: str) -> bool:
    """``name = ...`` (or ``name: T = ...``) as a whole simple statement."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, cst.Assign) and any(
            isinstance(target.target, cst.Name) and target.target.value == name for target in small.targets
        ):
            return True
        if isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name) \
                and small.target.value == name:
            return True
    return False
