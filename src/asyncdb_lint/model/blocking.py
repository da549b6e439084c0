"""What blocks the event loop: calls of sync drivers (for ADB3xx)."""

from __future__ import annotations

from collections import defaultdict
from typing import List, Optional, Tuple

import libcst as cst

from asyncdb_lint.model import libraries as lib
from asyncdb_lint.model.scopes import FunctionInfo, FunctionValue, Scope
from asyncdb_lint.model.values import Extern, Obj


class BlockingQuestions:
    """Blocking calls (mixed into :class:`SemanticModel`)."""

    def blocking_call(self, call: cst.Call) -> Optional[lib.DbType]:
        """The sync driver type a call blocks on, if it is a blocking call.

        A connect function or constructor of a sync driver, any method of a sync
        driver object not known to be I/O-free, or calling a sync session factory.
        """
        func = call.func
        scope = self.scope_at(call)
        if isinstance(func, cst.Attribute):
            receiver = self.value_of(func.value, scope)
            if isinstance(receiver, Obj) and receiver.type.blocking:
                spec = receiver.type.methods.get(func.attr.value)
                if spec is not None and lib.parse_spec(spec).mode == "sync":
                    return None
                result = self.value_of(call, scope)
                if spec is None or isinstance(result, Obj) or lib.parse_spec(spec).mode == "block":
                    return receiver.type
                return None
        callee = self.value_of(func, scope)
        if isinstance(callee, Extern):
            spec = lib.FUNCTIONS.get(callee.qualname)
            if spec is not None and lib.parse_spec(spec).mode == "block":
                result = self.value_of(call, scope)
                return result.type if isinstance(result, Obj) else None
            kind = lib.CLASSES.get(callee.qualname)
            if kind is not None and lib.TYPES[kind].blocking:
                return lib.TYPES[kind]
        if isinstance(callee, Obj) and callee.type.blocking and callee.type.called:
            return callee.type
        return None

    def function_blocking_call(self, info: FunctionInfo, depth: int = 0) -> Optional[Tuple[cst.Call, lib.DbType]]:
        """The first blocking call a plain ``def`` of this file makes, directly or
        through another plain function of this file it calls (for ADB3xx)."""
        key = ("blocks", id(info))
        if key in self._memo:
            return self._memo[key]  # type: ignore[return-value]
        if key in self._in_progress or depth > 8 or info.is_async:
            return None
        self._in_progress.add(key)
        found = None
        try:
            for call in self.calls_in(info.scope):
                driver = self.blocking_call(call)
                if driver is not None:
                    found = (call, driver)
                    break
                callee = self.value_of(call.func, self.scope_of[call])
                if isinstance(callee, FunctionValue) and not callee.info.is_async:
                    inner = self.function_blocking_call(callee.info, depth + 1)
                    if inner is not None:
                        found = (call, inner[1])
                        break
        finally:
            self._in_progress.discard(key)
        self._memo[key] = found  # type: ignore[assignment]
        return found

    def calls_in(self, function_scope: Scope) -> List[cst.Call]:
        """Calls whose nearest enclosing function is ``function_scope``, in order."""
        by_function = self.__dict__.get("_calls_by_function")
        if by_function is None:
            by_function = defaultdict(list)
            for call in self.calls:
                by_function[self.scope_of[call].function_scope].append(call)
            self.__dict__["_calls_by_function"] = by_function
        return by_function.get(function_scope, [])
