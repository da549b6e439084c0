"""The library tables, one module per family of libraries.

model/libraries.py holds the first libraries the linter knew (``databases``,
asyncpg, aiosqlite, SQLAlchemy, the sync drivers) and merges these families
into the same tables, so the model asks one place.
"""

from asyncdb_lint.model.libs import nosql, orms, sql_drivers

FAMILIES = (sql_drivers.FAMILY, nosql.FAMILY, orms.FAMILY)
