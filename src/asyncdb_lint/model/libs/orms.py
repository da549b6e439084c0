"""Async ORMs whose model classes are the user's own: Tortoise ORM, Piccolo,
ormar, Beanie.

A user's ``class User(Model)`` is known through its base (``model_bases``): a
method or attribute the class does not define itself is the library's, so
``User.create(...)`` in any module of the project is an async call. These
types are reached only that way (``by_hierarchy``): an untyped receiver is
never taken for one because it calls ``save()`` or ``filter()``.

Checked against the installed tortoise-orm 1.1, piccolo 1.38, ormar 0.25 and
beanie 2.2 (each call made against SQLite where the library allows, and the
returned object's ``__await__``/``__aiter__`` looked at). Lazy query objects
(``query``) run only when awaited, so building one and dropping it loses the
query; they differ by library:

- Tortoise: the model's ``filter()``/``get()``/``all()``... return an awaitable
  (and async-iterable) ``QuerySet``, its terminal ``count()``/``update()``/
  ``delete()``... awaitable queries; ``create()``, ``save()``, ``delete()`` on
  an instance are coroutines.
- Piccolo: every query method returns an awaitable query (``await
  Band.select()``, or ``.run()``), including ``save()`` and ``remove()``;
  queries are not async-iterable.
- ormar: ``Model.objects`` is a plain query builder (awaiting it is a
  TypeError); its terminals (``all()``, ``get()``, ``create()``...) are
  coroutines and ``iterate()`` an async generator.
- Beanie: ``find()`` returns an async-iterable ``FindMany`` that is not
  awaitable; ``find_one()`` an awaitable ``FindOne``; most of the rest are
  coroutines.
"""

from __future__ import annotations

from asyncdb_lint.model.libs.dbtype import DbType, Family, same


def _model(kind: str, label: str, library: str, **extra) -> DbType:
    return DbType(kind, label, library, by_hierarchy=True, **extra)


def _query(kind: str, label: str, library: str, **extra) -> DbType:
    """A lazy query: nothing happens until it is awaited."""
    return DbType(kind, label, library, query=True, lost_if_dropped=True, by_hierarchy=True, **extra)


# --- Tortoise ORM ----------------------------------------------------------------------
_TORTOISE_CHAIN = (
    "filter exclude order_by limit offset distinct annotate group_by prefetch_related select_related only "
    "using_db select_for_update all force_index use_index"
)
_TORTOISE_SINGLE = "get get_or_none first last earliest latest"
_TORTOISE_TERMINALS = "count exists update delete values values_list bulk_create bulk_update raw union"


def _tortoise_queryset(kind: str, awaits_to):
    return _query(
        kind, "QuerySet", "tortoise",
        methods={
            **same(_TORTOISE_CHAIN, kind),
            **same(_TORTOISE_SINGLE, "tortoise.QuerySetSingle"),
            **same(_TORTOISE_TERMINALS, "tortoise.Query"),
            **same("explain in_bulk", "await"),
            "sql": "sync",
        },
        awaits_to=awaits_to, async_iterable=True,
    )


_TORTOISE = [
    _model(
        "tortoise.ModelClass", "Model", "tortoise",
        methods={
            "create": "await:tortoise.Model",
            **same("get_or_create update_or_create in_bulk fetch_for_list", "await"),
            **same(_TORTOISE_SINGLE, "tortoise.QuerySetSingle"),
            **same("all filter exclude annotate select_for_update", "tortoise.QuerySet"),
            **same("exists bulk_create bulk_update raw", "tortoise.Query"),
            **same("describe get_table construct register_listener", "sync"),
        },
    ),
    _model(
        "tortoise.Model", "Model", "tortoise",
        methods={**same("save delete fetch_related refresh_from_db", "await"), **same("update_from_dict clone", "sync")},
    ),
    _tortoise_queryset("tortoise.QuerySet", None),
    _tortoise_queryset("tortoise.QuerySetSingle", "tortoise.Model"),
    _query("tortoise.Query", "query", "tortoise"),
    DbType(
        "tortoise.Client", "connection", "tortoise",
        methods=same("execute_query execute_query_dict execute_script execute_insert execute_many close", "await"),
    ),
    DbType("tortoise.TransactionBlock", "in_transaction()", "tortoise", enters_to="tortoise.Client", must_enter=True),
]
_TORTOISE_FUNCTIONS = {
    **same("tortoise.Tortoise.init tortoise.Tortoise.generate_schemas tortoise.Tortoise.close_connections "
           "tortoise.connections.close_all", "await"),
    **same("tortoise.connections.get tortoise.Tortoise.get_connection", "tortoise.Client"),
    **same("tortoise.transactions.in_transaction", "tortoise.TransactionBlock"),
}

# --- Piccolo ----------------------------------------------------------------------------
_PICCOLO_CHAIN = (
    "add as_of callback columns create distinct first freeze get get_or_create group_by having limit lock_rows "
    "offset on_conflict order_by output prefetch returning values where"
)
_PICCOLO = [
    _model(
        "piccolo.TableClass", "Table", "piccolo",
        methods={
            **same("select objects insert update delete raw count exists create_table alter table_exists "
                   "create_index drop_index indexes", "piccolo.Query"),
            **same("from_dict all_columns", "sync"),
        },
    ),
    _model(
        "piccolo.Table", "Table", "piccolo",
        methods={
            **same("save remove refresh get_related get_m2m add_m2m remove_m2m", "piccolo.Query"),
            "to_dict": "sync",
        },
    ),
    # `run_sync()` runs the query to completion on a new event loop, in a
    # worker thread when one is already running: it blocks the caller.
    _query(
        "piccolo.Query", "query", "piccolo",
        methods={**same(_PICCOLO_CHAIN, "piccolo.Query"), **same("run batch response_handler", "await"),
                 "run_sync": "block"},
        family="driver", alternative="`await` the query (or `await query.run()`)",
    ),
    DbType(
        "piccolo.Engine", "Engine", "piccolo",
        methods={
            **same("run_querystring run_ddl start_connection_pool close_connection_pool get_version prep_database "
                   "batch", "await"),
            "transaction": "piccolo.TransactionBlock",
            "atomic": "piccolo.Atomic",
        },
    ),
    DbType("piccolo.TransactionBlock", "transaction()", "piccolo", enters_to="piccolo.Transaction", must_enter=True),
    DbType("piccolo.Transaction", "transaction", "piccolo"),
    # `atomic()` collects queries (`add()`) and runs them in one transaction when awaited.
    _query(
        "piccolo.Atomic", "atomic()", "piccolo",
        methods={"add": "sync", "run": "await", "run_sync": "block"},
        family="driver", alternative="`await` it (or `await atomic.run()`)",
    ),
]
_PICCOLO_CLASSES = {
    f"piccolo.engine{module}.{name}Engine": "piccolo.Engine"
    for name, modules in (("Postgres", ("", ".postgres")), ("SQLite", ("", ".sqlite")), ("Cockroach", ("", ".cockroach")))
    for module in modules
}

# --- ormar -----------------------------------------------------------------------------
_ORMAR_QUERYSET = {
    **same("filter exclude limit offset order_by paginate fields exclude_fields select_related select_all "
           "prefetch_related", "ormar.QuerySet"),
    **same("get get_or_none first first_or_none last last_or_none get_or_create update_or_create create", "await:ormar.Model"),
    **same("all count exists update delete values values_list bulk_create bulk_update sum avg min max", "await"),
    "iterate": "aiter",
}
_ORMAR = [
    _model("ormar.ModelClass", "Model", "ormar", attributes={"objects": "ormar.QuerySet"}),
    _model(
        "ormar.Model", "Model", "ormar",
        methods={
            **same("save update delete load load_all upsert save_related", "await"),
            **same("update_from_dict remove", "sync"),
        },
    ),
    _model("ormar.QuerySet", "QuerySet", "ormar", methods=_ORMAR_QUERYSET),
]

# --- Beanie ------------------------------------------------------------------------------
_BEANIE = [
    _model(
        "beanie.DocumentClass", "Document", "beanie",
        methods={
            **same("find find_many find_all all", "beanie.FindMany"),
            "find_one": "beanie.FindOne",
            "get": "await:beanie.Document",
            **same("count distinct insert_one insert_many replace_many delete_all inspect_collection", "await"),
            "update_all": "beanie.Query",
            "aggregate": "beanie.Aggregation",
            "get_pymongo_collection": "pymongo.AsyncCollection",
            "bulk_writer": "sync",
        },
    ),
    _model(
        "beanie.Document", "Document", "beanie",
        methods={
            **same("insert create save save_changes replace delete update sync fetch_link fetch_all_links "
                   "validate_self set inc current_date", "await"),
            **same("to_ref link_from_id", "sync"),
        },
    ),
    _model(
        "beanie.FindMany", "FindMany", "beanie",
        methods={
            **same("find find_many sort limit skip project", "beanie.FindMany"),
            **same("to_list first_or_none count exists distinct sum avg max min get_cursor", "await"),
            **same("update set inc upsert update_many delete delete_many", "beanie.Query"),
            "aggregate": "beanie.Aggregation",
        },
        async_iterable=True,
    ),
    _query(
        "beanie.FindOne", "FindOne", "beanie",
        methods={
            **same("update update_one upsert set inc delete delete_one", "beanie.Query"),
            **same("replace_one count exists", "await"),
        },
        awaits_to="beanie.Document",
    ),
    _query("beanie.Query", "query", "beanie"),
    _model("beanie.Aggregation", "AggregationQuery", "beanie", methods={"to_list": "await"}, async_iterable=True),
]
_BEANIE_FUNCTIONS = same("beanie.init_beanie beanie.odm.utils.init.init_beanie", "await")

FAMILY = Family(
    types=[*_TORTOISE, *_PICCOLO, *_ORMAR, *_BEANIE],
    classes=_PICCOLO_CLASSES,
    functions={**_TORTOISE_FUNCTIONS, **_BEANIE_FUNCTIONS},
    sql_sinks={
        # The placeholder style depends on the database behind the connection.
        "tortoise.Client": (frozenset({"execute_query", "execute_query_dict", "execute_script", "execute_insert",
                                       "execute_many"}), ""),
        "tortoise.ModelClass": (frozenset({"raw"}), ""),
        "piccolo.TableClass": (frozenset({"raw"}), ""),
    },
    model_bases={
        "tortoise.Model": ("tortoise.ModelClass", "tortoise.Model"),
        "tortoise.models.Model": ("tortoise.ModelClass", "tortoise.Model"),
        "piccolo.table.Table": ("piccolo.TableClass", "piccolo.Table"),
        "ormar.Model": ("ormar.ModelClass", "ormar.Model"),
        "ormar.models.model.Model": ("ormar.ModelClass", "ormar.Model"),
        "beanie.Document": ("beanie.DocumentClass", "beanie.Document"),
        "beanie.odm.documents.Document": ("beanie.DocumentClass", "beanie.Document"),
    },
    async_imports={"tortoise": ("tortoise",), "piccolo": ("piccolo",), "ormar": ("ormar",), "beanie": ("beanie",)},
    modules=frozenset({"tortoise", "piccolo", "ormar", "beanie"}),
)
