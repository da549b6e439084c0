"""Async SQL drivers beyond asyncpg and aiosqlite: psycopg 3 (and psycopg_pool),
aiomysql, asyncmy, aiopg (with the ``.sa`` layers of aiomysql and aiopg).

Every fact was checked against the installed library (psycopg 3.3, psycopg_pool
3.3, aiomysql 0.3, asyncmy 0.2, aiopg 1.4): ``inspect.iscoroutinefunction`` on
the unwrapped functions, and ``__await__``/``__aenter__``/``__aiter__`` on what
the plain ``def`` ones return. Where the libraries differ from one another:

- psycopg's ``AsyncConnection.cursor()`` is plain (no I/O); ``transaction()``,
  ``pipeline()``, ``AsyncCursor.copy()`` and the pool's ``connection()`` are
  ``async with`` only (awaiting them is a bug).
- aiomysql's and aiopg's ``connect()``, ``create_pool()``, ``acquire()`` and
  ``cursor()`` return objects both awaitable and async context managers;
  asyncmy's ``cursor()`` returns the cursor, itself awaitable.
- ``close()`` is plain on aiomysql/asyncmy connections (``ensure_closed()`` is
  the coroutine), on aiopg's connections (it returns a finished future) and
  cursors, and on every pool of the three (``wait_closed()`` is the
  coroutine); it is a coroutine in psycopg and psycopg_pool.
- ``Pool.release()`` of aiomysql, asyncmy and aiopg returns a future that
  releases whether awaited or not: of no interest.
"""

from __future__ import annotations

from asyncdb_lint.model.libs.dbtype import DbType, Family, same

_DBAPI_QUERIES = frozenset({"execute", "executemany"})

# --- psycopg 3 ----------------------------------------------------------------
_PSYCOPG = [
    DbType(
        "psycopg.AsyncConnection", "AsyncConnection", "psycopg",
        pool=("psycopg_pool.AsyncConnectionPool(...)", "pool.connection()"),
        methods={
            "cursor": "psycopg.AsyncCursor",
            "execute": "await:psycopg.AsyncCursor",
            **same(
                "close commit rollback cancel_safe wait set_autocommit set_isolation_level set_read_only "
                "set_deferrable tpc_begin tpc_prepare tpc_commit tpc_rollback tpc_recover",
                "await",
            ),
            "transaction": "psycopg.AsyncTransactionBlock",
            "pipeline": "psycopg.AsyncPipelineBlock",
            "notifies": "aiter",
            **same("cancel fileno xid add_notice_handler remove_notice_handler add_notify_handler "
                   "remove_notify_handler", "sync"),
        },
        enters_to="psycopg.AsyncConnection",
    ),
    DbType(
        "psycopg.AsyncCursor", "AsyncCursor", "psycopg",
        methods={
            "execute": "await:psycopg.AsyncCursor",
            **same("executemany fetchone fetchmany fetchall scroll close set_result", "await"),
            **same("stream results", "aiter"),
            "copy": "psycopg.AsyncCopyBlock",
            **same("nextset setinputsizes setoutputsize mogrify", "sync"),
        },
        enters_to="psycopg.AsyncCursor", async_iterable=True,
    ),
    DbType("psycopg.AsyncTransactionBlock", "AsyncConnection.transaction()", "psycopg",
           enters_to="psycopg.AsyncTransaction", must_enter=True),
    DbType("psycopg.AsyncTransaction", "AsyncTransaction", "psycopg"),
    DbType("psycopg.AsyncPipelineBlock", "AsyncConnection.pipeline()", "psycopg",
           enters_to="psycopg.AsyncPipeline", must_enter=True),
    DbType("psycopg.AsyncPipeline", "AsyncPipeline", "psycopg", methods={"sync": "await"}),
    DbType("psycopg.AsyncCopyBlock", "AsyncCursor.copy()", "psycopg", enters_to="psycopg.AsyncCopy", must_enter=True),
    DbType(
        "psycopg.AsyncCopy", "AsyncCopy", "psycopg",
        methods={**same("read read_row write write_row finish", "await"), "rows": "aiter", "set_types": "sync"},
        async_iterable=True,
    ),
    DbType(
        "psycopg_pool.AsyncConnectionPool", "AsyncConnectionPool", "psycopg_pool",
        methods={
            **same("open close wait putconn check drain resize", "await"),
            "getconn": "await:psycopg.AsyncConnection",
            "connection": "psycopg_pool.AsyncPoolConnection",
            **same("run_task get_stats pop_stats", "sync"),
        },
        enters_to="psycopg_pool.AsyncConnectionPool",
    ),
    DbType("psycopg_pool.AsyncPoolConnection", "AsyncConnectionPool.connection()", "psycopg_pool",
           enters_to="psycopg.AsyncConnection", must_enter=True),
]
_PSYCOPG_CLASSES = {
    **{f"psycopg.{name}": "psycopg.AsyncConnection" for name in ("AsyncConnection", "connection_async.AsyncConnection")},
    **{
        f"psycopg.{module}{name}": "psycopg.AsyncCursor"
        for module in ("", "cursor_async.", "client_cursor.", "server_cursor.", "raw_cursor.")
        for name in ("AsyncCursor", "AsyncClientCursor", "AsyncServerCursor", "AsyncRawCursor", "AsyncRawServerCursor")
    },
    **{
        f"psycopg_pool.{module}{name}": "psycopg_pool.AsyncConnectionPool"
        for module in ("", "pool_async.", "null_pool_async.")
        for name in ("AsyncConnectionPool", "AsyncNullConnectionPool")
    },
}

# --- aiomysql, asyncmy ------------------------------------------------------------
_MYSQL_CONNECTION_ASYNC = (
    "ensure_closed commit rollback begin autocommit ping select_db set_charset show_warnings kill query next_result"
)
_MYSQL_CONNECTION_SYNC = (
    "close get_autocommit get_transaction_status insert_id affected_rows thread_id escape literal escape_string "
    "character_set_name get_server_info get_host_info get_proto_info write_packet"
)


def _mysql(library: str, cursor_spec: str, cursor_extra: dict, cursor_awaitable: bool) -> list:
    connection, cursor, pool = f"{library}.Connection", f"{library}.Cursor", f"{library}.Pool"
    return [
        DbType(
            connection, "Connection", library, pool=(f"{library}.create_pool()", "pool.acquire()"),
            methods={"cursor": cursor_spec, **same(_MYSQL_CONNECTION_ASYNC, "await"), **same(_MYSQL_CONNECTION_SYNC, "sync")},
            enters_to=connection,
        ),
        DbType(
            cursor, "Cursor", library,
            methods={
                **same("execute executemany callproc nextset close fetchone fetchmany fetchall", "await"),
                **same("mogrify setinputsizes setoutputsizes", "sync"),
                **cursor_extra,
            },
            enters_to=cursor, async_iterable=True, awaits_to=cursor if cursor_awaitable else None,
        ),
        DbType(
            pool, "Pool", library,
            methods={
                "acquire": f"awaitable_cm:{connection}",
                **same("wait_closed clear", "await"),
                **same("close terminate release", "sync"),
            },
            enters_to=pool,
        ),
    ]


_AIOMYSQL = _mysql("aiomysql", "awaitable_cm:aiomysql.Cursor", {"scroll": "await"}, cursor_awaitable=False)
# asyncmy's `cursor()` returns the cursor itself, which `await` and `async with` both accept.
_ASYNCMY = _mysql("asyncmy", "asyncmy.Cursor", {"scroll": "sync"}, cursor_awaitable=True)

# --- aiopg ---------------------------------------------------------------------------
_AIOPG = [
    DbType(
        "aiopg.Connection", "Connection", "aiopg", pool=("aiopg.create_pool()", "pool.acquire()"),
        methods={
            "cursor": "awaitable_cm:aiopg.Cursor",
            **same(
                "commit rollback cancel reset get_backend_pid get_parameter_status get_transaction_status "
                "set_client_encoding set_isolation_level set_session lobject tpc_begin tpc_prepare tpc_commit "
                "tpc_rollback tpc_recover",
                "await",
            ),
            **same("close isexecuting", "sync"),  # close(): a finished future, awaited or not
        },
        awaits_to="aiopg.Connection", enters_to="aiopg.Connection",
    ),
    DbType(
        "aiopg.Cursor", "Cursor", "aiopg",
        methods={
            **same(
                "execute executemany callproc fetchone fetchmany fetchall scroll nextset copy_from copy_to "
                "copy_expert setinputsizes setoutputsize",
                "await",
            ),
            **same("close mogrify", "sync"),
            **same("begin begin_nested", "awaitable_cm:aiopg.Transaction"),
        },
        enters_to="aiopg.Cursor", async_iterable=True,
    ),
    DbType(
        "aiopg.Transaction", "Transaction", "aiopg",
        methods={
            **same("begin commit rollback savepoint release_savepoint rollback_savepoint", "await"),
            "point": "awaitable_cm:aiopg.Transaction",
        },
        enters_to="aiopg.Transaction",
    ),
    DbType(
        "aiopg.Pool", "Pool", "aiopg",
        methods={
            "acquire": "awaitable_cm:aiopg.Connection",
            **same("cursor wait_closed clear", "await"),
            **same("close terminate release", "sync"),
        },
        enters_to="aiopg.Pool",
    ),
]


# --- aiomysql.sa, aiopg.sa (SQLAlchemy Core on the drivers) -------------------------
def _sa(library: str, result_close: str) -> list:
    engine, connection, result, transaction = (
        f"{library}.SAEngine", f"{library}.SAConnection", f"{library}.ResultProxy", f"{library}.SATransaction",
    )
    return [
        DbType(
            engine, "Engine", library,
            methods={"acquire": f"awaitable_cm:{connection}", "wait_closed": "await", **same("close terminate release", "sync")},
            enters_to=engine,
        ),
        DbType(
            connection, "SAConnection", library,
            methods={
                "execute": f"awaitable_cm:{result}",
                "begin": f"awaitable_cm:{transaction}",
                **same("begin_nested begin_twophase scalar close recover_twophase commit_prepared rollback_prepared", "await"),
            },
        ),
        DbType(
            result, "ResultProxy", library,
            methods={**same("fetchone fetchmany fetchall first scalar", "await"), "close": result_close, "keys": "sync"},
            async_iterable=True,
        ),
        DbType(transaction, "Transaction", library, methods=same("commit rollback close prepare", "await"),
               enters_to=transaction),
    ]


_TYPES = [*_PSYCOPG, *_AIOMYSQL, *_ASYNCMY, *_AIOPG, *_sa("aiomysql.sa", "await"), *_sa("aiopg.sa", "sync")]

_CLASSES = {
    **_PSYCOPG_CLASSES,
    **{
        f"{library}{module}.{name}": f"{library}.{name}"
        for library, modules in (
            ("aiomysql", ("", ".connection", ".cursors", ".pool")),
            ("asyncmy", ("", ".connection", ".cursors", ".pool")),
            ("aiopg", ("", ".connection", ".pool")),
        )
        for module in modules
        for name in ("Connection", "Cursor", "Pool")
        if f"{library}.{name}" in {t.kind for t in _TYPES}
    },
    **{f"aiomysql.cursors.{name}": "aiomysql.Cursor" for name in ("DictCursor", "SSCursor", "SSDictCursor")},
    **{f"asyncmy.cursors.{name}": "asyncmy.Cursor" for name in ("DictCursor", "SSCursor", "SSDictCursor")},
    "aiopg.Transaction": "aiopg.Transaction",
    "aiopg.transaction.Transaction": "aiopg.Transaction",
    **{f"{library}.{module}{name}": f"{library}.{kind}"
       for library in ("aiomysql.sa", "aiopg.sa")
       for module in ("", "engine.", "connection.", "result.")
       for name, kind in (("Engine", "SAEngine"), ("SAConnection", "SAConnection"), ("ResultProxy", "ResultProxy"))},
}

_FUNCTIONS = {
    "psycopg.AsyncConnection.connect": "await:psycopg.AsyncConnection",
    "psycopg.connection_async.AsyncConnection.connect": "await:psycopg.AsyncConnection",
    **{
        f"{library}{module}.{function}": f"awaitable_cm:{library}.{kind}"
        for library, connect_module, pool_module in (
            ("aiomysql", ".connection", ".pool"), ("asyncmy", ".connection", ".pool"), ("aiopg", ".connection", ".pool"),
        )
        for module, function, kind in (
            ("", "connect", "Connection"), ("", "create_pool", "Pool"),
            (connect_module, "connect", "Connection"), (pool_module, "create_pool", "Pool"),
        )
    },
    **{f"{library}{module}.create_engine": f"awaitable_cm:{library}.SAEngine"
       for library in ("aiomysql.sa", "aiopg.sa") for module in ("", ".engine")},
}

_SQL_SINKS = {
    "psycopg.AsyncConnection": (frozenset({"execute"}), "%s"),
    "psycopg.AsyncCursor": (frozenset({"execute", "executemany", "stream", "copy"}), "%s"),
    "aiomysql.Cursor": (_DBAPI_QUERIES, "%s"),
    "asyncmy.Cursor": (_DBAPI_QUERIES, "%s"),
    "aiopg.Cursor": (_DBAPI_QUERIES, "%s"),
    "aiomysql.sa.SAConnection": (frozenset({"execute", "scalar"}), "%s"),
    "aiopg.sa.SAConnection": (frozenset({"execute", "scalar"}), "%s"),
}

_HANDLE_FACTORIES = {
    **{name: "AsyncConnectionPool(...)" for name, kind in _PSYCOPG_CLASSES.items() if kind == "psycopg_pool.AsyncConnectionPool"},
    "psycopg.AsyncConnection.connect": "AsyncConnection.connect(...)",
    "psycopg.connection_async.AsyncConnection.connect": "AsyncConnection.connect(...)",
    **{
        name: f"{name.split('.')[0]}.{name.rsplit('.', 1)[-1]}(...)"
        for name, spec in _FUNCTIONS.items() if spec.startswith("awaitable_cm:")
    },
}

FAMILY = Family(
    types=_TYPES,
    classes=_CLASSES,
    functions=_FUNCTIONS,
    sql_sinks=_SQL_SINKS,
    handle_factories=_HANDLE_FACTORIES,
    async_imports={
        "psycopg": ("psycopg", "psycopg_pool"), "psycopg_pool": ("psycopg_pool",),
        "aiomysql": ("aiomysql",), "asyncmy": ("asyncmy",), "aiopg": ("aiopg",),
        "aiomysql.sa": ("aiomysql.sa",), "aiopg.sa": ("aiopg.sa",),
    },
    modules=frozenset({"psycopg", "psycopg_pool", "aiomysql", "asyncmy", "aiopg"}),
)
