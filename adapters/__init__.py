"""The write side's adapters: the event recorders of each store, which import the database drivers
and the library's persistence modules so that `tracker/` never does.

`tracker/config.py` names the recorder of each store by its topic (a string, not an import):
PostgreSQL's in `adapters.postgres_keys`, SQLite's in `adapters.sqlite_keys`, the in-memory
store's factory in `adapters.memory`. Importing this package imports no driver.
"""

from __future__ import annotations

# One key for every process creating tables in a database: the API workers, the projection
# worker and the CLI start together on a fresh database, and PostgreSQL's `CREATE TABLE IF
# NOT EXISTS` is not safe against a twin running at the same moment.
SCHEMA_LOCK_KEY = 0x7472_6163_6B65_72  # "tracker"
# The first half of the two-part advisory lock each process takes while writing a school's roll
# (adapters/postgres.py: writing_roll); the second is the school's.
ROLL_LOCKS = 0x726F_6C6C  # "roll"


def unavailable_errors() -> tuple[type[Exception], ...]:
    """What the store raises when it is away (restarting, unreachable, out of connections)."""
    import sqlite3

    import psycopg
    import psycopg_pool
    from eventsourcing.persistence import InterfaceError, OperationalError

    return (
        psycopg.OperationalError,
        psycopg.InterfaceError,
        psycopg_pool.PoolTimeout,
        sqlite3.OperationalError,
        OperationalError,
        InterfaceError,
    )
