"""MongoDB (Motor, pymongo's ``AsyncMongoClient``) and ``redis.asyncio``.

Checked against the installed motor 3.7, pymongo 4.20 and redis 8.1 by calling
each method on an object built without a server and looking at what it
returns: ``inspect.iscoroutinefunction`` is wrong for these libraries (Motor's
methods are plain ``def``s returning futures; redis's commands are the same
functions as the sync client's, returning the coroutine of the async
``execute_command``). Where they differ:

- Motor's ``find()``, ``aggregate()``, ``list_indexes()`` and ``watch()`` return
  cursors at once (``async for``); pymongo's async ``find()`` does too, but its
  ``aggregate()``, ``list_indexes()`` and ``watch()`` are coroutines.
- Motor's ``start_session()`` is a coroutine and its ``start_transaction()``
  an ``async with`` block; pymongo's are the other way round. ``close()`` is
  plain in Motor, a coroutine in pymongo.
- No constructor here does network I/O: building a client is cheap, but it
  owns a connection pool, so one per request is still wasteful.
- A redis pipeline queues its commands (plain calls returning the pipeline);
  only ``execute()`` and the ``watch`` family wait. ``scan_iter`` and
  ``PubSub.listen()`` are async generators.
"""

from __future__ import annotations

from asyncdb_lint.model.libs.dbtype import DbType, Family, same

# --- Motor ----------------------------------------------------------------------------
_MOTOR_COLLECTION_AWAITS = (
    "find_one insert_one insert_many update_one update_many replace_one delete_one delete_many count_documents "
    "estimated_document_count distinct find_one_and_update find_one_and_replace find_one_and_delete bulk_write "
    "create_index create_indexes drop_index drop_indexes drop index_information options rename "
    "create_search_index create_search_indexes drop_search_index update_search_index"
)
# Properties and attributes: never a sub-collection or a database by that name.
_CLIENT_ATTRIBUTES = same(
    "HOST PORT address arbiters codec_options io_loop is_mongos is_primary nodes options primary read_concern "
    "read_preference secondaries topology_description write_concern delegate", "sync",
)
_DATABASE_ATTRIBUTES = same("client codec_options name read_concern read_preference write_concern delegate", "sync")
_COLLECTION_ATTRIBUTES = same(
    "codec_options database full_name name read_concern read_preference write_concern delegate", "sync",
)
_CURSOR_CHAIN = "limit skip sort batch_size clone hint where comment collation max_time_ms max_await_time_ms"

_MOTOR = [
    DbType(
        "motor.Client", "AsyncIOMotorClient", "motor",
        methods={
            **_CLIENT_ATTRIBUTES,
            "start_session": "await:motor.Session",
            **same("list_databases list_database_names drop_database server_info bulk_write", "await"),
            "watch": "motor.ChangeStream",
            **same("get_database get_default_database", "motor.Database"),
            "close": "sync",
        },
        attribute_kind="motor.Database", item_kind="motor.Database",
        eager=frozenset("list_database_names drop_database server_info bulk_write".split()),
    ),
    DbType(
        "motor.Database", "AsyncIOMotorDatabase", "motor",
        methods={
            **_DATABASE_ATTRIBUTES,
            **same("command list_collection_names drop_collection validate_collection dereference "
                   "list_collections cursor_command", "await"),
            "create_collection": "await:motor.Collection",
            "aggregate": "motor.Cursor",
            "watch": "motor.ChangeStream",
            **same("get_collection with_options", "motor.Collection"),
        },
        attribute_kind="motor.Collection", item_kind="motor.Collection",
        eager=frozenset("command list_collection_names drop_collection validate_collection dereference".split()),
    ),
    DbType(
        "motor.Collection", "AsyncIOMotorCollection", "motor",
        methods={
            **_COLLECTION_ATTRIBUTES,
            **same(_MOTOR_COLLECTION_AWAITS, "await"),
            **same("find find_raw_batches aggregate aggregate_raw_batches list_indexes list_search_indexes", "motor.Cursor"),
            "watch": "motor.ChangeStream",
            "with_options": "motor.Collection",
        },
        attribute_kind="motor.Collection", item_kind="motor.Collection",  # `db.users.archive`: a sub-collection
        eager=frozenset(_MOTOR_COLLECTION_AWAITS.split()),
    ),
    DbType(
        "motor.Cursor", "AsyncIOMotorCursor", "motor",
        methods={
            **same("to_list next close explain distinct", "await"),
            **same(_CURSOR_CHAIN + " rewind", "motor.Cursor"),
            **same("next_object each", "sync"),
        },
        enters_to="motor.Cursor", async_iterable=True, eager=frozenset({"to_list", "explain", "distinct"}),
    ),
    DbType("motor.ChangeStream", "AsyncIOMotorChangeStream", "motor",
           methods=same("next try_next close", "await"), enters_to="motor.ChangeStream", async_iterable=True),
    DbType(
        "motor.Session", "AsyncIOMotorClientSession", "motor",
        methods={
            "start_transaction": "motor.TransactionBlock",
            **same("commit_transaction abort_transaction end_session with_transaction", "await"),
        },
        enters_to="motor.Session", eager=frozenset({"commit_transaction", "abort_transaction", "end_session"}),
    ),
    # `start_transaction()` starts it at once; `async with` only commits or aborts at the end.
    DbType("motor.TransactionBlock", "start_transaction()", "motor", enters_to="motor.Transaction"),
    DbType("motor.Transaction", "transaction", "motor"),
]
_MOTOR_CLASSES = {
    f"motor.{module}.AsyncIOMotor{name}": f"motor.{kind}"
    for module in ("motor_asyncio",)
    for name, kind in (
        ("Client", "Client"), ("Database", "Database"), ("Collection", "Collection"), ("Cursor", "Cursor"),
        ("CommandCursor", "Cursor"), ("LatentCommandCursor", "Cursor"), ("ChangeStream", "ChangeStream"),
        ("ClientSession", "Session"),
    )
}

# --- pymongo's async API ----------------------------------------------------------------
_PYMONGO = [
    DbType(
        "pymongo.AsyncMongoClient", "AsyncMongoClient", "pymongo",
        methods={
            **_CLIENT_ATTRIBUTES,
            **same("aconnect close list_databases list_database_names drop_database server_info bulk_write", "await"),
            "watch": "await:pymongo.AsyncCursor",
            "start_session": "pymongo.AsyncClientSession",
            **same("get_database get_default_database", "pymongo.AsyncDatabase"),
        },
        attribute_kind="pymongo.AsyncDatabase", item_kind="pymongo.AsyncDatabase", enters_to="pymongo.AsyncMongoClient",
    ),
    DbType(
        "pymongo.AsyncDatabase", "AsyncDatabase", "pymongo",
        methods={
            **_DATABASE_ATTRIBUTES,
            **same("command drop_collection list_collection_names dereference validate_collection", "await"),
            **same("aggregate watch list_collections cursor_command", "await:pymongo.AsyncCursor"),
            "create_collection": "await:pymongo.AsyncCollection",
            **same("get_collection with_options", "pymongo.AsyncCollection"),
        },
        attribute_kind="pymongo.AsyncCollection", item_kind="pymongo.AsyncCollection",
    ),
    DbType(
        "pymongo.AsyncCollection", "AsyncCollection", "pymongo",
        methods={
            **_COLLECTION_ATTRIBUTES,
            **same(_MOTOR_COLLECTION_AWAITS, "await"),
            **same("find find_raw_batches", "pymongo.AsyncCursor"),
            **same("aggregate aggregate_raw_batches list_indexes list_search_indexes watch", "await:pymongo.AsyncCursor"),
            "with_options": "pymongo.AsyncCollection",
        },
        attribute_kind="pymongo.AsyncCollection", item_kind="pymongo.AsyncCollection",
    ),
    DbType(
        "pymongo.AsyncCursor", "AsyncCursor", "pymongo",
        methods={
            **same("to_list next try_next close rewind distinct explain", "await"),
            **same(_CURSOR_CHAIN, "pymongo.AsyncCursor"),
        },
        enters_to="pymongo.AsyncCursor", async_iterable=True,
    ),
    DbType(
        "pymongo.AsyncClientSession", "AsyncClientSession", "pymongo",
        methods={
            "start_transaction": "await:pymongo.AsyncTransactionBlock",
            **same("commit_transaction abort_transaction with_transaction end_session", "await"),
        },
        enters_to="pymongo.AsyncClientSession",
    ),
    DbType("pymongo.AsyncTransactionBlock", "start_transaction()", "pymongo", enters_to="pymongo.AsyncTransaction"),
    DbType("pymongo.AsyncTransaction", "transaction", "pymongo"),
]
_PYMONGO_CLASSES = {
    "pymongo.AsyncMongoClient": "pymongo.AsyncMongoClient",
    "pymongo.asynchronous.mongo_client.AsyncMongoClient": "pymongo.AsyncMongoClient",
    "pymongo.asynchronous.database.AsyncDatabase": "pymongo.AsyncDatabase",
    "pymongo.asynchronous.collection.AsyncCollection": "pymongo.AsyncCollection",
    "pymongo.asynchronous.cursor.AsyncCursor": "pymongo.AsyncCursor",
    "pymongo.asynchronous.command_cursor.AsyncCommandCursor": "pymongo.AsyncCursor",
    "pymongo.asynchronous.client_session.AsyncClientSession": "pymongo.AsyncClientSession",
}

# --- redis.asyncio ------------------------------------------------------------------------
# Every command is a coroutine on the async client; these are its plain methods
# (listed by introspection: the client's own helpers and the command builders).
_REDIS_PLAIN = (
    "client get_connection_kwargs get_encoder get_retry set_retry set_response_callback load_external_module "
    "monitor register_script bitfield keyspace_notifications bf cf cms ft json tdigest topk ts vset "
    "command_docs failover hello latency_doctor latency_graph latency_histogram digest_local"
)
_REDIS = [
    DbType(
        "redis.asyncio.Redis", "Redis", "redis",
        methods={
            **same(_REDIS_PLAIN, "sync"),
            "pipeline": "redis.asyncio.Pipeline",
            "pubsub": "redis.asyncio.PubSub",
            "lock": "redis.asyncio.Lock",
            **same("scan_iter hscan_iter sscan_iter zscan_iter", "aiter"),
            **same("from_url from_pool", "redis.asyncio.Redis"),
        },
        default_method="await", awaits_to="redis.asyncio.Redis", enters_to="redis.asyncio.Redis",
    ),
    # Queued commands return the pipeline itself; `execute()` sends them.
    DbType(
        "redis.asyncio.Pipeline", "Pipeline", "redis",
        methods={
            **same("execute watch unwatch reset discard immediate_execute_command aclose", "await"),
            "multi": "sync",
        },
        default_method="redis.asyncio.Pipeline", enters_to="redis.asyncio.Pipeline",
    ),
    DbType(
        "redis.asyncio.PubSub", "PubSub", "redis",
        methods={
            **same("subscribe psubscribe unsubscribe punsubscribe ssubscribe sunsubscribe ping get_message run "
                   "aclose close reset", "await"),
            "listen": "aiter",
        },
        enters_to="redis.asyncio.PubSub",
    ),
    DbType("redis.asyncio.Lock", "Lock", "redis",
           methods=same("acquire release locked owned do_release extend reacquire", "await"),
           enters_to="redis.asyncio.Lock"),
]
_REDIS_CLASSES = {
    f"redis.asyncio{module}.{name}": "redis.asyncio.Redis"
    for module in ("", ".client") for name in ("Redis", "StrictRedis")
}

_FUNCTIONS = {
    "redis.asyncio.from_url": "redis.asyncio.Redis",
    "redis.asyncio.client.from_url": "redis.asyncio.Redis",
    **{f"{name}.{factory}": "redis.asyncio.Redis" for name in _REDIS_CLASSES for factory in ("from_url", "from_pool")},
}

_HANDLE_FACTORIES = {
    **{name: "AsyncIOMotorClient(...)" for name, kind in _MOTOR_CLASSES.items() if kind == "motor.Client"},
    **{name: "AsyncMongoClient(...)" for name, kind in _PYMONGO_CLASSES.items() if kind == "pymongo.AsyncMongoClient"},
    **{name: "Redis(...)" for name in _REDIS_CLASSES},
    **{name: "redis.asyncio.from_url(...)" for name in _FUNCTIONS if name.endswith("from_url")},
}

FAMILY = Family(
    types=[*_MOTOR, *_PYMONGO, *_REDIS],
    classes={**_MOTOR_CLASSES, **_PYMONGO_CLASSES, **_REDIS_CLASSES},
    functions=_FUNCTIONS,
    handle_factories=_HANDLE_FACTORIES,
    async_imports={
        "motor": ("motor",),
        "pymongo": ("pymongo.asynchronous", "pymongo.AsyncMongoClient"),
        "redis": ("redis.asyncio",),
    },
    modules=frozenset({"motor", "pymongo", "redis"}),
)
