"""Design (c) of the catch-up prototypes: a bulk mode for rebuilds on PostgreSQL.

A rebuild writes into scratch tables nobody reads until the swap, so they need only the indexes the
projection itself reads or conflicts on while it works. Everything else (the audit index's primary
keys and its four secondary indexes, every read side's secondary index) is built once at the end,
by a sort, instead of row by row in every page; optionally the tables are unlogged while built.
Exactly-once and crash safety are the runner's own (rows and position in one transaction); a
crash leaves scratch tables that the next rebuild drops, so nothing of the bulk mode survives it.
"""

from __future__ import annotations

import time
from typing import Any

from projections.store import PostgresViewStore
from projections.tables import INDEXES, TABLES

# Read by the projection during a catch-up (projections/rows.py, milestones.py): kept.
READ_WHILE_BUILDING = {"encounters": ("upn, occurred_on",)}
# Primary keys no write conflicts on and no read of the projection's uses: the audit index's.
DEFERRED_KEYS = {"events": "position", "event_upns": "upn, position"}


def defer_indexes(store: PostgresViewStore, unlogged: bool) -> None:
    """Drop what the projection does not need while building (and make the tables unlogged)."""
    with store.transaction() as cursor:
        for name in TABLES:
            table = store.prefix + name
            for (index,) in cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname <> %s",
                (table, f"{table}_pkey"),
            ).fetchall():
                if not _kept(name, index, cursor):
                    cursor.execute(f'DROP INDEX "{index}"')
            if name in DEFERRED_KEYS:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{table}_pkey"')
            if unlogged:
                cursor.execute(f'ALTER TABLE "{table}" SET UNLOGGED')


def restore_indexes(store: PostgresViewStore, unlogged: bool) -> dict[str, float]:
    """Build the deferred indexes (and log the tables again): the seconds each step took."""
    spent = {"indexes_seconds": 0.0, "set_logged_seconds": 0.0}
    with store.transaction() as cursor:
        began = time.perf_counter()
        for name, columns in DEFERRED_KEYS.items():
            cursor.execute(f'ALTER TABLE "{store.prefix}{name}" ADD PRIMARY KEY ({columns})')
        for name, indexes in INDEXES.items():
            if name not in TABLES:
                continue
            for number, columns in enumerate(indexes):
                if columns in READ_WHILE_BUILDING.get(name, ()):
                    continue
                cursor.execute(
                    f'CREATE INDEX "{store.prefix}{name}_bulk{number}" '
                    f'ON "{store.prefix}{name}" ({columns})'
                )
        spent["indexes_seconds"] = time.perf_counter() - began
        if unlogged:
            began = time.perf_counter()
            for name in TABLES:
                cursor.execute(f'ALTER TABLE "{store.prefix}{name}" SET LOGGED')
            spent["set_logged_seconds"] = time.perf_counter() - began
    return spent


def _kept(name: str, index: str, cursor: Any) -> bool:
    definition = cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (index,)
    ).fetchone()[0]
    return any(f"({columns})" in definition for columns in READ_WHILE_BUILDING.get(name, ()))
