"""What we know about the async DB libraries, as data.

Every rule asks the semantic model, and the model asks this table. Adding a
library or an API is a matter of adding rows here, never of touching a rule.

A *kind* is the name of a DB object type (``"asyncpg.Pool"``). Each method of a
kind is described by a result spec string:

``await`` / ``await:K``
    returns a coroutine that must be awaited (awaiting it gives a ``K``).
``awaitable_cm:K``
    returns an object that does nothing until it is awaited or entered with
    ``async with`` (both give a ``K``): ``pool.acquire()``, ``engine.connect()``.
``aiter`` / ``aiter:K``
    returns an async iterable (``async for``); with ``:K`` it can also be
    awaited to get a ``K`` (asyncpg's ``cursor()``).
``K``
    returns a ``K`` synchronously (``session.begin()`` aside, e.g. a
    ``databases`` ``transaction()`` returns a ``Transaction``). On a sync
    driver's (*blocking*) type it also says the call does no I/O: creating a
    cursor, a pipeline, a ``SessionTransaction`` - the wait comes later, from
    a call on the object it returns.
``sync``
    a synchronous call of no interest (on a blocking type: one that does no
    I/O, such as ``get_backend_pid()``).
``block`` / ``block:K``
    a blocking call of a sync driver: it waits on the network or the disk
    (and returns a ``K``). On a *blocking* type every method not listed blocks.

Which sync-driver calls do I/O was checked against each library (a fake
server recording what reaches it, ``strace`` for sqlite3, the sources); a
call is listed as I/O-free only when that was verified.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, TypeVar

from asyncdb_lint.model import frameworks
from asyncdb_lint.model.libs import FAMILIES
from asyncdb_lint.model.libs.dbtype import DbType, same as _same

T = TypeVar("T")


_DATABASES_QUERIES = {
    **_same("connect disconnect fetch_val execute execute_many", "await"),
    "fetch_one": "await:databases.Record",
    "fetch_all": "await:databases.Records",
    "iterate": "aiter",
    "transaction": "databases.Transaction",
    "connection": "databases.Connection",
}

_DATABASEZ_QUERIES = {
    **_DATABASES_QUERIES,
    **_same("run_sync create_all drop_all", "await"),
    "batched_iterate": "aiter",
    "transaction": "databasez.Transaction",
    "connection": "databasez.Connection",
}

_ASYNCPG_QUERIES = {
    **_same(
        "fetchval fetchmany execute executemany copy_from_table "
        "copy_from_query copy_to_table copy_records_to_table",
        "await",
    ),
    "fetch": "await:asyncpg.Records",
    "fetchrow": "await:asyncpg.Record",
}

_SA_RESULT_METHODS = _same(
    "all fetchall fetchone fetchmany first one one_or_none scalar scalar_one "
    "scalar_one_or_none freeze",
    "await",
)

_SA_SESSION_METHODS = {
    **_same(
        "execute scalar scalars get get_one delete refresh flush merge commit "
        "rollback close run_sync connection invalidate reset",
        "await",
    ),
    "stream": "await:sqlalchemy.AsyncResult",
    "stream_scalars": "await:sqlalchemy.AsyncScalarResult",
    "begin": "awaitable_cm:sqlalchemy.AsyncSessionTransaction",
    "begin_nested": "awaitable_cm:sqlalchemy.AsyncSessionTransaction",
    **_same("add add_all expunge expunge_all expire expire_all in_transaction is_modified", "sync"),
}

def _driver(kind: str, label: str, alternative: str, methods: Optional[Dict[str, str]] = None, **extra) -> DbType:
    return DbType(
        kind, label, kind.split(".")[0], methods=methods or {}, blocking=True, family="driver",
        alternative=alternative, **extra,
    )


def _dbapi(
    module: str, alternative: str, cursor_label: str = "Cursor", *, cursor_does_io: bool = True,
    connection_sync: str = "", cursor_sync: str = "",
) -> List[DbType]:
    """A DB-API 2.0 driver: connection -> cursor, both usable with `with`.

    ``cursor_does_io=False`` where ``connection.cursor()`` was checked to do no
    I/O (the first wait is the cursor's ``execute``); ``connection_sync`` and
    ``cursor_sync`` name methods checked to do no I/O (accessors, escaping).
    """
    connection, cursor = f"{module}.Connection", f"{module}.Cursor"
    return [
        _driver(
            connection, "connection", alternative,
            {
                "cursor": cursor if not cursor_does_io else f"block:{cursor}",
                **_same("execute executemany executescript", f"block:{cursor}"),
                **_same(connection_sync, "sync"),
            },
            with_to=connection,
        ),
        _driver(
            cursor, cursor_label.lower(), alternative,
            {**_same("execute executemany executescript", f"block:{cursor}"), **_same(cursor_sync, "sync")},
            with_to=cursor,
        ),
    ]


_SA_SYNC_SESSION_METHODS = {
    **_same("add add_all expunge expunge_all expire expire_all in_transaction is_modified get_bind", "sync"),
    "begin": "sqlalchemy.SessionTransaction",  # no I/O: the connection is taken by the first execute
    "begin_nested": "block:sqlalchemy.SessionTransaction",  # SAVEPOINT
    # `query()` builds a Query without I/O, but the Query is not tracked: its
    # execution (`.all()`, `.first()`) is reported here.
}

_BLOCKING_TYPES: List[DbType] = [
    # cursor() does no I/O in sqlite3 (no syscall), psycopg2 (fake server: nothing
    # sent), psycopg, pymysql, MySQLdb and oracledb (sources). It does in
    # mysql.connector (`is_connected()` pings the server); pyodbc and cx_Oracle
    # are unverified, so theirs counts as blocking.
    *_dbapi(
        "sqlite3", "aiosqlite", cursor_does_io=False,
        connection_sync="create_function create_aggregate create_collation interrupt set_trace_callback "
        "set_progress_handler set_authorizer",
    ),
    *_dbapi(
        "psycopg2", "asyncpg or psycopg's `AsyncConnection`", cursor_does_io=False,
        connection_sync="get_parameter_status get_backend_pid get_transaction_status get_dsn_parameters "
        "fileno isexecuting xid",
        cursor_sync="mogrify",
    ),
    *_dbapi("psycopg", "`psycopg.AsyncConnection` / `psycopg_pool.AsyncConnectionPool`", cursor_does_io=False,
            connection_sync="fileno xid"),
    *_dbapi("pymysql", "aiomysql or asyncmy", cursor_does_io=False,
            connection_sync="escape literal thread_id character_set_name get_host_info get_proto_info "
            "get_server_info get_autocommit"),
    *_dbapi("MySQLdb", "aiomysql or asyncmy", cursor_does_io=False),
    *_dbapi("mysql.connector", "aiomysql or asyncmy"),
    *_dbapi("pyodbc", "aioodbc"),
    *_dbapi("oracledb", "`oracledb.connect_async()`", cursor_does_io=False),
    *_dbapi("cx_Oracle", "`oracledb.connect_async()`"),
    _driver("psycopg2.Pool", "connection pool", "asyncpg's pool or `psycopg_pool.AsyncConnectionPool`",
            {"getconn": "block:psycopg2.Connection", "putconn": "block"}),
    _driver("psycopg.Pool", "connection pool", "`psycopg_pool.AsyncConnectionPool`",
            # `connection()` is entered at once, and entering it waits for a connection
            {"connection": "block:psycopg.PoolConnection", "getconn": "block:psycopg.Connection"}),
    _driver("psycopg.PoolConnection", "pool connection", "`psycopg_pool.AsyncConnectionPool`", with_to="psycopg.Connection"),
    _driver("oracledb.Pool", "connection pool", "`oracledb.create_pool_async()`", {"acquire": "block:oracledb.Connection"}),
    _driver(
        "pymongo.MongoClient", "MongoClient", "motor or pymongo's `AsyncMongoClient`",
        {"get_database": "pymongo.Database", "get_default_database": "pymongo.Database"},
        attribute_kind="pymongo.Database", item_kind="pymongo.Database", with_to="pymongo.MongoClient",
        # `MongoClient(...)` returns at once: its monitor threads connect in the
        # background. (A `mongodb+srv://` URI is resolved in DNS by the constructor.)
        lazy=True,
    ),
    _driver(
        "pymongo.Database", "Database", "motor or pymongo's `AsyncMongoClient`",
        {"get_collection": "pymongo.Collection"},
        attribute_kind="pymongo.Collection", item_kind="pymongo.Collection",
    ),
    _driver("pymongo.Collection", "Collection", "motor or pymongo's `AsyncMongoClient`",
            attribute_kind="pymongo.Collection", item_kind="pymongo.Collection"),
    # `Redis(...)` only builds a connection pool: the first command connects.
    _driver("redis.Redis", "Redis", "`redis.asyncio.Redis`",
            {"pipeline": "redis.Pipeline", "pubsub": "redis.PubSub"}, with_to="redis.Redis", lazy=True),
    # A pipeline queues its commands (no I/O) until `execute()`; `watch()` runs at
    # once, and so do the commands after it (until `multi()`).
    _driver("redis.Pipeline", "Pipeline", "`redis.asyncio.Redis`",
            _same("execute watch unwatch reset close", "block"), with_to="redis.Pipeline", default_method="sync"),
    _driver("redis.PubSub", "PubSub", "`redis.asyncio.Redis`"),
    # --- sync SQLAlchemy (ADB302) -------------------------------------------
    DbType(
        "sqlalchemy.Engine", "Engine", "sqlalchemy", blocking=True, family="sqlalchemy",
        methods={"connect": "block:sqlalchemy.Connection", "begin": "block:sqlalchemy.Connection"},
        alternative="`create_async_engine` and `AsyncSession`",
    ),
    DbType(
        "sqlalchemy.Connection", "Connection", "sqlalchemy", blocking=True, family="sqlalchemy",
        # begin(): the dialect's do_begin is a no-op (the DBAPI begins at the first
        # execute); begin_nested() sends SAVEPOINT.
        methods={"begin": "sqlalchemy.Transaction", "begin_nested": "block:sqlalchemy.Transaction"},
        with_to="sqlalchemy.Connection", alternative="`AsyncConnection` from `create_async_engine`",
    ),
    DbType("sqlalchemy.Transaction", "Transaction", "sqlalchemy", blocking=True, family="sqlalchemy",
           with_to="sqlalchemy.Transaction", alternative="`AsyncConnection.begin()`"),
    DbType(
        "sqlalchemy.Session", "Session", "sqlalchemy", blocking=True, family="sqlalchemy",
        methods=_SA_SYNC_SESSION_METHODS, with_to="sqlalchemy.Session",
        alternative="`AsyncSession` (or a plain `def` route, which FastAPI runs in a threadpool)",
        lazy=True,  # `Session(engine)` takes no connection until it executes
    ),
    DbType("sqlalchemy.SessionTransaction", "SessionTransaction", "sqlalchemy", blocking=True, family="sqlalchemy",
           with_to="sqlalchemy.SessionTransaction", alternative="`AsyncSession.begin()`"),
    DbType(
        "sqlalchemy.sessionmaker", "sessionmaker", "sqlalchemy", blocking=True, family="sqlalchemy",
        # a factory: calling it or entering `begin()` builds a Session, without I/O
        methods={"begin": "sqlalchemy.Session", **_same("configure kw", "sync")},
        called="sqlalchemy.Session", alternative="`async_sessionmaker`",
    ),
    DbType(
        "sqlalchemy.scoped_session", "scoped_session", "sqlalchemy", blocking=True, family="sqlalchemy",
        methods={**_SA_SYNC_SESSION_METHODS, **_same("remove configure", "sync")},
        called="sqlalchemy.Session", alternative="`async_scoped_session`",  # calling it: the registry's Session
        lazy=True,  # building the registry does no I/O
    ),
]

TYPES: Dict[str, DbType] = {
    t.kind: t
    for t in [
        # --- databases (encode/databases) --------------------------------
        DbType(
            "databases.Database", "Database", "databases",
            methods=_DATABASES_QUERIES, enters_to="databases.Database",
        ),
        DbType(
            "databases.Connection", "Connection", "databases",
            methods=_DATABASES_QUERIES,
            enters_to="databases.Connection",
        ),
        DbType(
            "databases.Transaction", "Transaction", "databases",
            methods=_same("start commit rollback", "await"),
            # `transaction = await database.transaction()` starts it
            awaits_to="databases.Transaction", enters_to="databases.Transaction", must_enter=True,
        ),
        # --- databasez: the `databases` API, and more (checked: its wrapped
        # methods are plain `def`s returning coroutines) ------------------------
        DbType(
            "databasez.Database", "Database", "databasez",
            methods=_DATABASEZ_QUERIES, enters_to="databasez.Database",
        ),
        DbType(
            "databasez.Connection", "Connection", "databasez",
            methods={**_DATABASEZ_QUERIES, "get_raw_connection": "await"},
            enters_to="databasez.Connection",
        ),
        DbType(
            "databasez.Transaction", "Transaction", "databasez",
            methods=_same("start commit rollback get_bound_transaction", "await"),
            awaits_to="databasez.Transaction", enters_to="databasez.Transaction", must_enter=True,
        ),
        # --- asyncpg ---------------------------------------------------------
        DbType(
            "asyncpg.Connection", "Connection", "asyncpg", pool=("asyncpg.create_pool()", "pool.acquire()"),
            methods={
                **_ASYNCPG_QUERIES,
                **_same(
                    "close set_type_codec reset_type_codec set_builtin_type_codec "
                    "add_listener remove_listener reload_schema_state reset",
                    "await",
                ),
                **_same("add_log_listener remove_log_listener", "sync"),  # plain methods (checked)
                "prepare": "await:asyncpg.PreparedStatement",
                "transaction": "asyncpg.Transaction",
                "cursor": "aiter:asyncpg.Cursor",
            },
        ),
        DbType(
            "asyncpg.Pool", "Pool", "asyncpg",
            methods={
                **_ASYNCPG_QUERIES,
                **_same("release close expire_connections", "await"),
                "acquire": "awaitable_cm:asyncpg.Connection",
            },
            awaits_to="asyncpg.Pool", enters_to="asyncpg.Pool", lost_if_dropped=True,
        ),
        DbType(
            "asyncpg.Transaction", "Transaction", "asyncpg",
            methods=_same("start commit rollback", "await"),
            enters_to="asyncpg.Transaction", must_enter=True,
        ),
        DbType(
            "asyncpg.PreparedStatement", "PreparedStatement", "asyncpg",
            methods={
                **_same("fetchval fetchmany executemany explain", "await"),
                "fetch": "await:asyncpg.Records",
                "fetchrow": "await:asyncpg.Record",
                "cursor": "aiter:asyncpg.Cursor",
            },
        ),
        DbType(
            "asyncpg.Cursor", "Cursor", "asyncpg",
            methods=_same("fetch fetchrow forward", "await"),
        ),
        # --- aiosqlite -------------------------------------------------------
        DbType(
            "aiosqlite.Connection", "Connection", "aiosqlite",
            methods={
                **_same("execute executemany executescript cursor", "awaitable_cm:aiosqlite.Cursor"),
                **_same(
                    "execute_insert execute_fetchall commit rollback close "
                    "create_function set_progress_handler set_trace_callback "
                    "enable_load_extension load_extension interrupt backup set_authorizer",
                    "await",
                ),
                "iterdump": "aiter",
            },
            awaits_to="aiosqlite.Connection", enters_to="aiosqlite.Connection",
        ),
        DbType(
            "aiosqlite.Cursor", "Cursor", "aiosqlite",
            methods=_same("execute executemany executescript fetchone fetchmany fetchall close", "await"),
            enters_to="aiosqlite.Cursor", async_iterable=True,
        ),
        # --- SQLAlchemy asyncio ------------------------------------------------
        DbType(
            "sqlalchemy.AsyncEngine", "AsyncEngine", "sqlalchemy",
            methods={
                "connect": "awaitable_cm:sqlalchemy.AsyncConnection",
                "begin": "sqlalchemy.AsyncEngineBegin",
                "dispose": "await",
                "raw_connection": "await",
            },
        ),
        # `engine.begin()` is an async context manager only (not awaitable).
        DbType(
            "sqlalchemy.AsyncEngineBegin", "AsyncEngine.begin()", "sqlalchemy",
            enters_to="sqlalchemy.AsyncConnection", must_enter=True,
        ),
        DbType(
            "sqlalchemy.AsyncConnection", "AsyncConnection", "sqlalchemy",
            methods={
                **_same(
                    "execute exec_driver_sql scalar scalars commit rollback close "
                    "run_sync invalidate get_raw_connection start",
                    "await",
                ),
                "stream": "await:sqlalchemy.AsyncResult",
                "stream_scalars": "await:sqlalchemy.AsyncScalarResult",
                "begin": "awaitable_cm:sqlalchemy.AsyncTransaction",
                "begin_nested": "awaitable_cm:sqlalchemy.AsyncTransaction",
            },
            awaits_to="sqlalchemy.AsyncConnection", enters_to="sqlalchemy.AsyncConnection",
        ),
        DbType(
            "sqlalchemy.AsyncTransaction", "AsyncTransaction", "sqlalchemy",
            methods=_same("commit rollback close start", "await"),
            enters_to="sqlalchemy.AsyncTransaction",
        ),
        DbType(
            "sqlalchemy.AsyncSession", "AsyncSession", "sqlalchemy",
            methods=_SA_SESSION_METHODS, enters_to="sqlalchemy.AsyncSession",
        ),
        DbType(
            "sqlmodel.AsyncSession", "AsyncSession", "sqlmodel",
            methods={**_SA_SESSION_METHODS, "exec": "await"},
            enters_to="sqlmodel.AsyncSession",
        ),
        DbType(
            "sqlalchemy.AsyncSessionTransaction", "AsyncSessionTransaction", "sqlalchemy",
            methods=_same("commit rollback start", "await"),
            enters_to="sqlalchemy.AsyncSessionTransaction",
        ),
        DbType(
            "sqlalchemy.async_sessionmaker", "async_sessionmaker", "sqlalchemy",
            methods={"begin": "sqlalchemy.AsyncSessionMakerBegin"},
            called="sqlalchemy.AsyncSession",
        ),
        DbType(
            "sqlalchemy.AsyncSessionMakerBegin", "async_sessionmaker.begin()", "sqlalchemy",
            enters_to="sqlalchemy.AsyncSession", must_enter=True,
        ),
        # async_scoped_session proxies the session's methods.
        DbType(
            "sqlalchemy.async_scoped_session", "async_scoped_session", "sqlalchemy",
            methods={**_SA_SESSION_METHODS, "remove": "await"},
            called="sqlalchemy.AsyncSession",
        ),
        DbType(
            "sqlalchemy.AsyncResult", "AsyncResult", "sqlalchemy",
            methods={
                **_SA_RESULT_METHODS,
                "scalars": "sqlalchemy.AsyncScalarResult",
                "mappings": "sqlalchemy.AsyncScalarResult",
                "partitions": "aiter",
            },
            async_iterable=True,
        ),
        DbType(
            "sqlalchemy.AsyncScalarResult", "AsyncScalarResult", "sqlalchemy",
            methods={**_SA_RESULT_METHODS, "partitions": "aiter"},
            async_iterable=True,
        ),
        *_BLOCKING_TYPES,
        *(db_type for family in FAMILIES for db_type in family.types),
        # --- query results (ADB5xx) ----------------------------------------------
        DbType("databases.Record", "row", "databases", row=True),
        DbType("databases.Records", "list of rows", "databases", rows=True),
        DbType("asyncpg.Record", "Record", "asyncpg", row=True),
        DbType("asyncpg.Records", "list of Records", "asyncpg", rows=True),
        # --- web frameworks (not DB objects, but they say where requests run) ---
        *(
            DbType(kind, label, kind.split(".")[0], app=True, attributes=frameworks.APP_ATTRIBUTES.get(kind, {}))
            for kind, label in frameworks.APP_TYPES.items()
        ),
    ]
}

# What the frameworks' decorators and markers mean lives in model/frameworks.py.
DEPENDENCY_MARKERS = frameworks.DEPENDENCY_MARKERS
ROUTE_DECORATORS = frameworks.ROUTE_DECORATORS


# Qualified names of classes: calling one builds an instance, annotating with one
# declares an instance.
CLASSES: Dict[str, str] = {
    "databases.Database": "databases.Database",
    "databases.core.Database": "databases.Database",
    "databases.core.Connection": "databases.Connection",
    "databases.core.Transaction": "databases.Transaction",
    "asyncpg.Connection": "asyncpg.Connection",
    "asyncpg.connection.Connection": "asyncpg.Connection",
    "asyncpg.Pool": "asyncpg.Pool",
    "asyncpg.pool.Pool": "asyncpg.Pool",
    "asyncpg.pool.PoolConnectionProxy": "asyncpg.Connection",
    "asyncpg.transaction.Transaction": "asyncpg.Transaction",
    "asyncpg.prepared_stmt.PreparedStatement": "asyncpg.PreparedStatement",
    "asyncpg.cursor.Cursor": "asyncpg.Cursor",
    "aiosqlite.Connection": "aiosqlite.Connection",
    "aiosqlite.core.Connection": "aiosqlite.Connection",
    "aiosqlite.Cursor": "aiosqlite.Cursor",
    "aiosqlite.cursor.Cursor": "aiosqlite.Cursor",
    "sqlmodel.ext.asyncio.session.AsyncSession": "sqlmodel.AsyncSession",
    **frameworks.APP_CLASSES,
    # sync drivers
    "sqlite3.Connection": "sqlite3.Connection",
    "sqlite3.Cursor": "sqlite3.Cursor",
    "psycopg2.extensions.connection": "psycopg2.Connection",
    "psycopg2.extensions.cursor": "psycopg2.Cursor",
    "psycopg2.pool.SimpleConnectionPool": "psycopg2.Pool",
    "psycopg2.pool.ThreadedConnectionPool": "psycopg2.Pool",
    "psycopg.Connection": "psycopg.Connection",
    "psycopg.Cursor": "psycopg.Cursor",
    "psycopg_pool.ConnectionPool": "psycopg.Pool",
    "pymysql.connections.Connection": "pymysql.Connection",
    "pymysql.cursors.Cursor": "pymysql.Cursor",
    "pyodbc.Connection": "pyodbc.Connection",
    "pyodbc.Cursor": "pyodbc.Cursor",
    "oracledb.Connection": "oracledb.Connection",
    "oracledb.Cursor": "oracledb.Cursor",
    "pymongo.MongoClient": "pymongo.MongoClient",
    "pymongo.mongo_client.MongoClient": "pymongo.MongoClient",
    "pymongo.database.Database": "pymongo.Database",
    "pymongo.collection.Collection": "pymongo.Collection",
    "redis.Redis": "redis.Redis",
    "redis.StrictRedis": "redis.Redis",
    "redis.client.Redis": "redis.Redis",
    "redis.client.StrictRedis": "redis.Redis",
    # sync SQLAlchemy
    "sqlalchemy.Engine": "sqlalchemy.Engine",
    "sqlalchemy.engine.Engine": "sqlalchemy.Engine",
    "sqlalchemy.engine.base.Engine": "sqlalchemy.Engine",
    "sqlalchemy.Connection": "sqlalchemy.Connection",
    "sqlalchemy.engine.Connection": "sqlalchemy.Connection",
    "sqlalchemy.engine.base.Connection": "sqlalchemy.Connection",
    "sqlalchemy.orm.Session": "sqlalchemy.Session",
    "sqlalchemy.orm.session.Session": "sqlalchemy.Session",
    "sqlmodel.Session": "sqlalchemy.Session",
    "sqlmodel.orm.session.Session": "sqlalchemy.Session",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.scoped_session",
    "sqlalchemy.orm.scoping.scoped_session": "sqlalchemy.scoped_session",
    # databasez
    **{f"databasez{module}.{name}": f"databasez.{name}"
       for module in ("", ".core", ".core.database", ".core.connection", ".core.transaction")
       for name in ("Database", "Connection", "Transaction")},
}
for _module in ("sqlalchemy.ext.asyncio", "sqlalchemy.ext.asyncio.engine",
                "sqlalchemy.ext.asyncio.session", "sqlalchemy.ext.asyncio.result",
                "sqlalchemy.ext.asyncio.scoping"):
    for _name, _kind in {
        "AsyncEngine": "sqlalchemy.AsyncEngine",
        "AsyncConnection": "sqlalchemy.AsyncConnection",
        "AsyncTransaction": "sqlalchemy.AsyncTransaction",
        "AsyncSession": "sqlalchemy.AsyncSession",
        "AsyncSessionTransaction": "sqlalchemy.AsyncSessionTransaction",
        "async_sessionmaker": "sqlalchemy.async_sessionmaker",
        "async_scoped_session": "sqlalchemy.async_scoped_session",
        "AsyncResult": "sqlalchemy.AsyncResult",
        "AsyncScalarResult": "sqlalchemy.AsyncScalarResult",
        "AsyncMappingResult": "sqlalchemy.AsyncScalarResult",
    }.items():
        CLASSES[f"{_module}.{_name}"] = _kind
for _family in FAMILIES:
    CLASSES.update(_family.classes)

# Qualified names of factory functions and the result spec of calling them.
FUNCTIONS: Dict[str, str] = {
    "asyncpg.connect": "await:asyncpg.Connection",
    "asyncpg.connection.connect": "await:asyncpg.Connection",
    "asyncpg.create_pool": "asyncpg.Pool",
    "asyncpg.pool.create_pool": "asyncpg.Pool",
    "aiosqlite.connect": "awaitable_cm:aiosqlite.Connection",
    "aiosqlite.core.connect": "awaitable_cm:aiosqlite.Connection",
}
for _module in ("sqlalchemy.ext.asyncio", "sqlalchemy.ext.asyncio.engine"):
    FUNCTIONS[f"{_module}.create_async_engine"] = "sqlalchemy.AsyncEngine"
    FUNCTIONS[f"{_module}.async_engine_from_config"] = "sqlalchemy.AsyncEngine"
for _name, _kind in {
    "sqlite3.connect": "sqlite3.Connection",
    "sqlite3.dbapi2.connect": "sqlite3.Connection",
    "psycopg2.connect": "psycopg2.Connection",
    "psycopg.connect": "psycopg.Connection",
    "psycopg.Connection.connect": "psycopg.Connection",
    "pymysql.connect": "pymysql.Connection",
    "pymysql.Connect": "pymysql.Connection",
    "MySQLdb.connect": "MySQLdb.Connection",
    "MySQLdb.Connect": "MySQLdb.Connection",
    "mysql.connector.connect": "mysql.connector.Connection",
    "pyodbc.connect": "pyodbc.Connection",
    "oracledb.connect": "oracledb.Connection",
    "oracledb.create_pool": "oracledb.Pool",
    "cx_Oracle.connect": "cx_Oracle.Connection",
    "cx_Oracle.Connection": "cx_Oracle.Connection",
}.items():
    FUNCTIONS[_name] = f"block:{_kind}"
# Factories of sync clients that connect lazily, on first use (checked against
# a fake server: nothing reaches it until a query): no I/O of their own.
FUNCTIONS.update({
    "redis.from_url": "redis.Redis",
    "redis.Redis.from_url": "redis.Redis",
    "redis.StrictRedis.from_url": "redis.Redis",
    "sqlalchemy.create_engine": "sqlalchemy.Engine",
    "sqlalchemy.engine.create_engine": "sqlalchemy.Engine",
    "sqlalchemy.engine_from_config": "sqlalchemy.Engine",
    "sqlmodel.create_engine": "sqlalchemy.Engine",
})
for _family in FAMILIES:
    FUNCTIONS.update(_family.functions)

# Library base classes of the user's own model classes (an ORM's `Model`):
# qualname -> (the kind a subclass is, the kind its instances are).
MODEL_BASES: Dict[str, tuple] = {name: kinds for family in FAMILIES for name, kinds in family.model_bases.items()}

# `sessionmaker(engine, class_=AsyncSession)` is the pre-2.0 spelling of
# `async_sessionmaker(engine)`; the model checks the `class_` argument.
SYNC_SESSIONMAKERS: FrozenSet[str] = frozenset({"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker"})

# Sync-driver connects that an argument turns into a non-blocking (async mode)
# connection: qualified name -> the keywords that do it. psycopg2's `async_=True`
# (aiopg's base) returns before the server answers, and its connection and
# cursors never wait: `execute` only sends, blocking methods raise instead.
ASYNC_MODE_ARGUMENTS: Dict[str, FrozenSet[str]] = {
    "psycopg2.connect": frozenset({"async_", "async"}),
    "psycopg2.extensions.connection": frozenset({"async_", "async"}),
}

# Calls that run a sync function in a worker thread, and decorators that turn a
# sync `def` into a coroutine function running it in one. A function *passed* to
# them (a name, a lambda, a `functools.partial`, a nested `def`, also to
# `loop.run_in_executor`) is not called on the event loop, so needs no entry;
# the table is what makes a decorated `def` (`@sync_to_async`) not blocking.
OFFLOADERS: FrozenSet[str] = frozenset({
    "asyncio.to_thread", "asyncio.threads.to_thread",
    "anyio.to_thread.run_sync", "trio.to_thread.run_sync",
    "starlette.concurrency.run_in_threadpool", "fastapi.concurrency.run_in_threadpool",
    "asgiref.sync.sync_to_async", "asgiref.sync.SyncToAsync",
    "channels.db.database_sync_to_async", "asyncer.asyncify",
})

# The imports that show a package uses an async DB library (DbType.library ->
# module prefixes): evidence about untyped receivers only points to libraries
# the package imports.
ASYNC_LIBRARY_IMPORTS: Dict[str, tuple] = {
    "databases": ("databases", "databasez"),
    "asyncpg": ("asyncpg",),
    "aiosqlite": ("aiosqlite",),
    "sqlalchemy": ("sqlalchemy.ext.asyncio", "sqlmodel.ext.asyncio"),
    "sqlmodel": ("sqlmodel.ext.asyncio",),
    "databasez": ("databasez",),
    **{library: prefixes for family in FAMILIES for library, prefixes in family.async_imports.items()},
}

# Method names only async DB libraries have. A receiver the model cannot
# evaluate that calls one, in a package that imports the library, is taken to
# be that library's object - unless the code says it is something else.
# Generic names (`execute`, `fetch`, `get`) are not here: the code's own awaits
# have to speak for those.
UNIQUE_ASYNC_METHODS: Dict[str, tuple] = {
    **{m: ("asyncpg", "await") for m in (
        "fetchval copy_records_to_table copy_from_query copy_to_table copy_from_table".split())},
    "fetchrow": ("asyncpg", "await:asyncpg.Record"),
    **{m: ("databases", "await") for m in ("fetch_val", "execute_many")},
    "fetch_one": ("databases", "await:databases.Record"),
    "fetch_all": ("databases", "await:databases.Records"),
    **{m: ("aiosqlite", "await") for m in ("execute_fetchall", "execute_insert")},
    **{m: ("sqlalchemy", "await") for m in ("run_sync", "stream_scalars")},
}

# Method or function names that open a DB handle when awaited or entered:
# `conn = await pool.acquire()`, `con = await self.connect()`. A local bound
# that way is a connection, pool or statement, named like the others in its
# module (see model/evidence.py).
HANDLE_OPENERS: FrozenSet[str] = frozenset(
    "connect acquire create_pool create_engine prepare cursor begin connection session".split()
)

# Libraries whose objects are never DB objects (mocks, HTTP clients, the
# standard library): what their calls return is known to be something else, so
# no evidence makes it one.
NOT_DB_MODULES: FrozenSet[str] = frozenset({
    "unittest", "mock", "asynctest", "httpx", "aiohttp", "requests", "urllib3", "websockets", "grpc",
    "asyncio", "collections", "typing", "json", "logging", "pathlib", "os", "io", "threading",
    "concurrent", "queue", "functools", "itertools", "contextlib", "dataclasses", "types",
})

# Builtins whose instances (by a call or an annotation) are never DB objects.
BUILTIN_TYPES: FrozenSet[str] = frozenset(
    "object dict list set frozenset tuple str bytes bytearray int float bool type open".split()
)

# Top-level modules whose names make a file worth a closer look.
LIBRARY_MODULES: FrozenSet[str] = frozenset({
    "databases", "asyncpg", "aiosqlite", "sqlalchemy", "sqlmodel",
    "sqlite3", "psycopg2", "psycopg", "psycopg_pool", "pymysql", "MySQLdb", "mysql", "pyodbc",
    "oracledb", "cx_Oracle", "pymongo", "redis", "databasez",
}).union(*(family.modules for family in FAMILIES))

# Top-level modules whose objects the model gives a kind (a DB object, an app,
# a dependency marker): what a project module must import before anything
# imported from it can matter to a rule.
VALUE_MODULES: FrozenSet[str] = LIBRARY_MODULES | frameworks.MODULES

# Calls that take a coroutine and run or schedule it: handing a coroutine to
# one of these is not losing it. Matched by qualified name, or by method name
# for the methods of objects we do not track (TaskGroup, event loops).
COROUTINE_RUNNERS: FrozenSet[str] = frozenset({
    "asyncio.gather", "asyncio.create_task", "asyncio.ensure_future", "asyncio.wait_for",
    "asyncio.shield", "asyncio.as_completed", "asyncio.run_coroutine_threadsafe",
    "asyncio.run", "asyncio.wait", "asyncio.timeout", "asyncio.Task",
    "asyncio.tasks.gather", "asyncio.tasks.create_task", "asyncio.tasks.ensure_future",
    "anyio.run", "trio.run", "uvloop.run",
    "asgiref.sync.async_to_sync",
    "contextlib.AsyncExitStack.enter_async_context",
})
COROUTINE_RUNNER_METHODS: FrozenSet[str] = frozenset({
    "create_task", "run_until_complete", "ensure_future", "enter_async_context",
    "run_coroutine_threadsafe", "spawn", "schedule",
})

# Builtins that consume their argument synchronously: a coroutine passed to one
# is certainly being used as data.
SYNC_CONSUMERS: FrozenSet[str] = frozenset({
    "list", "tuple", "set", "dict", "len", "sorted", "reversed", "iter", "next",
    "sum", "min", "max", "any", "all", "enumerate", "zip", "map", "filter",
    "str", "int", "float", "bool", "repr", "print", "format", "frozenset", "type",
})
ITERATING_BUILTINS: FrozenSet[str] = frozenset({
    "list", "tuple", "set", "sorted", "frozenset", "enumerate", "sum", "min", "max",
    "any", "all", "zip", "map", "filter", "iter", "dict",
})

# Calls that turn their argument into data right away (a response body, JSON):
# a coroutine handed to one of these is a coroutine used as data.
DATA_SINKS: FrozenSet[str] = frozenset(
    {"json.dumps", "fastapi.encoders.jsonable_encoder", "orjson.dumps", "ujson.dumps"}
    | {
        f"{module}.{response}"
        for module in ("fastapi.responses", "starlette.responses")
        for response in ("JSONResponse", "ORJSONResponse", "UJSONResponse", "HTMLResponse", "PlainTextResponse", "Response")
    }
)



@dataclass(frozen=True)
class CallResult:
    """What calling an API gives, decoded from a result spec."""

    mode: str  # "await", "awaitable_cm", "aiter", "value", "sync", "block"
    kind: Optional[str]  # what awaiting/entering gives, or the value's kind


_TYPES_GENERATION = [0]  # how many times install_custom has changed TYPES


def derived_from_types(build: Callable[[], T]) -> Callable[[], T]:
    """A table computed from ``TYPES``, once - again only after ``install_custom``
    has changed ``TYPES`` (a language server lints with one configuration after another)."""
    memo: Dict[int, T] = {}

    @functools.wraps(build)
    def table() -> T:
        key = _TYPES_GENERATION[0]
        if key not in memo:
            memo.clear()
            memo[key] = build()
        return memo[key]

    return table


@derived_from_types
def _async_context_methods() -> FrozenSet[str]:
    return frozenset(
        name for db_type in TYPES.values() for name, spec in db_type.methods.items() if spec.startswith("awaitable_cm")
    )


def opens_async_context(method: str) -> bool:
    """Whether some async library's ``method`` returns an object that does nothing
    until it is awaited or entered (``acquire()``, aiosqlite's ``execute()``):
    evidence that only shows such a call entered elsewhere makes a dropped one a
    bug; for other names (Motor's ``start_transaction()``) it may not be."""
    return method in _async_context_methods()


def parse_spec(spec: str) -> CallResult:
    head, _, kind = spec.partition(":")
    if head in ("await", "awaitable_cm", "aiter"):
        return CallResult(head, kind or None)
    if head == "sync":
        return CallResult("sync", None)
    if head == "block":
        return CallResult("block", kind or None)
    return CallResult("value", spec)


# --- SQL execution APIs (ADB4xx) -------------------------------------------
# kind -> (methods whose first argument / `query=`/`sql=`/`operation=` keyword
# is executed as SQL, placeholder style of the driver)
_QUERY_METHODS_DATABASES = frozenset("execute execute_many fetch_all fetch_one fetch_val iterate".split())
_QUERY_METHODS_ASYNCPG = frozenset(
    "execute executemany fetch fetchrow fetchval fetchmany prepare cursor copy_from_query".split()
)
_QUERY_METHODS_SQLITE = frozenset("execute executemany executescript execute_fetchall execute_insert".split())
_QUERY_METHODS_DBAPI = frozenset("execute executemany".split())

SQL_SINKS: Dict[str, tuple] = {
    "databases.Database": (_QUERY_METHODS_DATABASES, ":name"),
    "databases.Connection": (_QUERY_METHODS_DATABASES, ":name"),
    "asyncpg.Connection": (_QUERY_METHODS_ASYNCPG, "$1"),
    "asyncpg.Pool": (_QUERY_METHODS_ASYNCPG, "$1"),
    "aiosqlite.Connection": (_QUERY_METHODS_SQLITE, "?"),
    "aiosqlite.Cursor": (_QUERY_METHODS_SQLITE, "?"),
    "sqlite3.Connection": (_QUERY_METHODS_SQLITE, "?"),
    "sqlite3.Cursor": (_QUERY_METHODS_SQLITE, "?"),
    "psycopg2.Cursor": (_QUERY_METHODS_DBAPI, "%s"),
    "psycopg.Connection": (_QUERY_METHODS_DBAPI, "%s"),
    "psycopg.Cursor": (_QUERY_METHODS_DBAPI, "%s"),
    "pymysql.Cursor": (_QUERY_METHODS_DBAPI, "%s"),
    "MySQLdb.Cursor": (_QUERY_METHODS_DBAPI, "%s"),
    "mysql.connector.Cursor": (_QUERY_METHODS_DBAPI, "%s"),
    "pyodbc.Connection": (_QUERY_METHODS_DBAPI, "?"),
    "pyodbc.Cursor": (_QUERY_METHODS_DBAPI, "?"),
    "oracledb.Cursor": (_QUERY_METHODS_DBAPI, ":name"),
    "cx_Oracle.Cursor": (_QUERY_METHODS_DBAPI, ":name"),
    # SQLAlchemy executes a plain string (1.x) or driver SQL as-is.
    "sqlalchemy.AsyncConnection": (frozenset({"execute", "exec_driver_sql"}), ":name"),
    "sqlalchemy.AsyncSession": (frozenset({"execute"}), ":name"),
    "sqlalchemy.Connection": (frozenset({"execute", "exec_driver_sql"}), ":name"),
    "sqlalchemy.Session": (frozenset({"execute"}), ":name"),
    "sqlalchemy.Engine": (frozenset({"execute"}), ":name"),
    "databasez.Database": (_QUERY_METHODS_DATABASES, ":name"),
    "databasez.Connection": (_QUERY_METHODS_DATABASES, ":name"),
    **{kind: sink for family in FAMILIES for kind, sink in family.sql_sinks.items()},
}
# Functions whose first argument is SQL text.
SQL_TEXT_FUNCTIONS: Dict[str, str] = {
    "sqlalchemy.text": ":name",
    "sqlalchemy.sql.text": ":name",
    "sqlalchemy.sql.expression.text": ":name",
    "sqlmodel.text": ":name",
}
SQL_QUERY_KEYWORDS: FrozenSet[str] = frozenset({"query", "sql", "operation", "statement"})
# On a receiver we cannot trace, these method names still execute SQL - when
# the string is recognisably SQL.
UNTRACED_SQL_METHODS: FrozenSet[str] = frozenset({
    "execute", "executemany", "executescript", "execute_many", "fetch_one", "fetch_all",
    "fetch_val", "fetch", "fetchrow", "fetchval", "exec_driver_sql",
})


# --- lifecycle (ADB2xx) ----------------------------------------------------
# Shared handles whose `connect()`/`disconnect()` belong to the lifespan, not
# to a request.
CONNECTED_AT_STARTUP: FrozenSet[str] = frozenset({"databases.Database", "databasez.Database"})

# Building one of these opens connections (or a pool of them): once per
# process, never per request.
HANDLE_FACTORIES: Dict[str, str] = {
    "databases.Database": "Database(...)",
    "databases.core.Database": "Database(...)",
    "sqlalchemy.ext.asyncio.create_async_engine": "create_async_engine(...)",
    "sqlalchemy.ext.asyncio.engine.create_async_engine": "create_async_engine(...)",
    "sqlalchemy.ext.asyncio.async_engine_from_config": "async_engine_from_config(...)",
    "asyncpg.create_pool": "asyncpg.create_pool(...)",
    "asyncpg.pool.create_pool": "asyncpg.create_pool(...)",
    "asyncpg.connect": "asyncpg.connect(...)",
    "asyncpg.connection.connect": "asyncpg.connect(...)",
    **{name: "Database(...)" for name, kind in CLASSES.items() if kind == "databasez.Database"},
    **{name: shown for family in FAMILIES for name, shown in family.handle_factories.items()},
}


# --- a project's own code, taught through the configuration -----------------
_CUSTOM: Dict[str, list] = {"types": [], "classes": [], "functions": [], "sinks": []}
_INSTALLED: List[tuple] = [((), (), ())]  # the names install_custom was last given


def install_custom(async_db_types=(), sync_db_calls=(), sql_sinks=()) -> None:
    """Teach the tables about in-house wrappers (`async-db-types`, `sync-db-calls`, `sql-sinks`).

    Replaces whatever an earlier call installed, so one process can lint with
    several configurations in turn.
    """
    names = (tuple(async_db_types), tuple(sync_db_calls), tuple(sql_sinks))
    if names == _INSTALLED[0]:
        return  # already there: the tables derived from TYPES stay valid
    _INSTALLED[0] = names
    for kind in _CUSTOM["types"]:
        TYPES.pop(kind, None)
    for name in _CUSTOM["classes"]:
        CLASSES.pop(name, None)
    for name in _CUSTOM["functions"]:
        FUNCTIONS.pop(name, None)
    for name in _CUSTOM["sinks"]:
        SQL_TEXT_FUNCTIONS.pop(name, None)
    for key in _CUSTOM:
        _CUSTOM[key] = []
    _TYPES_GENERATION[0] += 1
    for qualname in async_db_types:
        kind = f"custom.{qualname}"
        label = qualname.rsplit(".", 1)[-1]
        TYPES[kind] = DbType(kind, label, "custom", default_method="await", enters_to=kind)
        CLASSES[qualname] = kind
        _CUSTOM["types"].append(kind)
        _CUSTOM["classes"].append(qualname)
    for qualname in sync_db_calls:
        kind = f"custom.{qualname}"
        label = qualname.rsplit(".", 1)[-1]
        TYPES[kind] = DbType(
            kind, label, qualname.split(".")[0], blocking=True, family="driver",
            alternative="an async equivalent", with_to=kind,
        )
        _CUSTOM["types"].append(kind)
        if label[:1].isupper():  # a class: building one, and every call on it, blocks
            CLASSES[qualname] = kind
            _CUSTOM["classes"].append(qualname)
        else:
            FUNCTIONS[qualname] = f"block:{kind}"
            _CUSTOM["functions"].append(qualname)
    for qualname in sql_sinks:
        SQL_TEXT_FUNCTIONS[qualname] = ""
        _CUSTOM["sinks"].append(qualname)


def _roots(*tables: Iterable[str]) -> FrozenSet[str]:
    return frozenset(name.split(".")[0] for table in tables for name in table)


# Every top-level module the model compares a qualified name against: the
# tables above, and the names the model itself looks for (typing constructs,
# decorators, `textwrap.dedent`). Objects of other modules are opaque to it.
KNOWN_MODULES: FrozenSet[str] = VALUE_MODULES | _roots(
    CLASSES, FUNCTIONS, COROUTINE_RUNNERS, DATA_SINKS, DEPENDENCY_MARKERS, SQL_TEXT_FUNCTIONS,
    HANDLE_FACTORIES, SYNC_SESSIONMAKERS, ASYNC_MODE_ARGUMENTS, OFFLOADERS,
) | {
    "typing", "typing_extensions", "collections", "contextlib", "functools", "textwrap",
    "pytest", "pytest_asyncio", "async_lru", "cachetools", "itertools", "enum", "math",
}
