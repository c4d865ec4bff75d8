"""The few questions we ask the event store that the library has no method for."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification

# One key for every process creating tables in a database: the API workers, the projection
# worker and the CLI start together on a fresh database, and PostgreSQL's `CREATE TABLE IF
# NOT EXISTS` is not safe against a twin running at the same moment.
SCHEMA_LOCK_KEY = 0x7472_6163_6B65_72  # "tracker"


def unavailable_errors() -> tuple[type[Exception], ...]:
    """What the store raises when it is away (restarting, unreachable, out of connections)."""
    import sqlite3

    import psycopg
    import psycopg_pool
    from eventsourcing.persistence import InterfaceError, OperationalError

    return (psycopg.OperationalError, psycopg.InterfaceError, psycopg_pool.PoolTimeout,
            sqlite3.OperationalError, OperationalError, InterfaceError)


@contextmanager
def creating_tables(settings: dict[str, str]) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock while tables are created; nothing to hold elsewhere."""
    if settings.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        yield
        return
    import psycopg

    with psycopg.connect(host=settings["POSTGRES_HOST"], port=settings["POSTGRES_PORT"],
                         dbname=settings["POSTGRES_DBNAME"], user=settings["POSTGRES_USER"],
                         password=settings["POSTGRES_PASSWORD"] or None,
                         connect_timeout=int(settings.get("POSTGRES_CONNECT_TIMEOUT", "5")),
                         autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        yield  # the lock goes with the connection


@contextmanager
def bulk_loading(recorder: ApplicationRecorder) -> Iterator[None]:
    """A one-off load into a SQLite file: commits stop waiting for the disk, and all is on it at the end.

    Under WAL, `synchronous=NORMAL` writes each commit to the log without an fsync; the file stays
    consistent through a power cut (the log's checksums drop a half-written commit), but the last
    commits may be lost, as if the load had been stopped there. The checkpoint at the end syncs
    everything, so views built afterwards are never ahead of the log. The library opens one
    connection per thread in use; a single-threaded load writes through the one this sets.
    Other stores (PostgreSQL, in memory, SQLite without WAL) are left as they are.
    """
    if _module_of(recorder) != "eventsourcing.sqlite" or _sqlite_pragma(recorder, "journal_mode") != "wal":
        yield
        return
    was = _sqlite_pragma(recorder, "synchronous")
    _sqlite_pragma(recorder, "synchronous=NORMAL")
    try:
        yield
    finally:
        _sqlite_pragma(recorder, f"synchronous={int(was)}")
        _sqlite_pragma(recorder, "wal_checkpoint(TRUNCATE)")


def _sqlite_pragma(recorder, pragma: str) -> Any:
    # Outside a transaction (the library's connections autocommit between them): SQLite refuses
    # to change `synchronous` inside one.
    with recorder.datastore.get_connection(commit=True) as connection:
        cursor = connection.cursor()
        cursor.execute(f"PRAGMA {pragma}")  # our own fixed text, never a value from outside
        row = cursor.fetchone()
    return row[0] if row else None


def notification_id_of(recorder: ApplicationRecorder, originator_id: UUID, version: int) -> int | None:
    """The position at which one stored event was recorded, or None if it was not."""
    module = _module_of(recorder)
    if module == "eventsourcing.postgres":
        return _postgres_notification_id(recorder, originator_id, version)
    if module == "eventsourcing.sqlite":
        return _sqlite_notification_id(recorder, originator_id, version)
    return _popo_notification_id(recorder, originator_id, version)


def existing_aggregates(recorder: ApplicationRecorder, ids: list[UUID]) -> set[UUID]:
    """Which of these aggregates have been stored: one query for a batch, not one per id."""
    module = _module_of(recorder)
    if module == "eventsourcing.postgres":
        return _postgres_existing(recorder, ids)
    if module == "eventsourcing.sqlite":
        return _sqlite_existing(recorder, ids)
    index = recorder._stored_events_index  # in-memory store only
    return {aggregate_id for aggregate_id in ids if str(aggregate_id) in index}


def events_of(recorder: ApplicationRecorder, aggregate_ids: list[UUID], up_to: int) -> list[Notification]:
    """Every stored event of these aggregates at or before position `up_to`, in log order: one
    query (on the store's own index of aggregate and version), not one per aggregate.

    A known-at replay needs a school's pupils' and activities' events, scattered through the log;
    asking for each aggregate's events in turn took one round trip per pupil.
    """
    module = _module_of(recorder)
    if module == "eventsourcing.postgres":
        return _postgres_events_of(recorder, aggregate_ids, up_to)
    if module == "eventsourcing.sqlite":
        return _sqlite_events_of(recorder, aggregate_ids, up_to)
    wanted = {str(aggregate_id) for aggregate_id in aggregate_ids}  # in-memory store only
    return [n for n in recorder.select_notifications(start=1, limit=up_to, stop=up_to)
            if str(n.originator_id) in wanted]


def _postgres_events_of(recorder, aggregate_ids: list[UUID], up_to: int) -> list[Notification]:
    from psycopg.sql import SQL, Identifier  # only on the PostgreSQL path

    statement = SQL(
        "SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) AND notification_id <= %s "
        "ORDER BY notification_id"
    ).format(schema=Identifier(recorder.datastore.schema or "public"), table=Identifier(recorder.events_table_name))
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, (list(aggregate_ids), up_to))
        return [Notification(id=row["notification_id"], originator_id=row["originator_id"],
                             originator_version=row["originator_version"], topic=row["topic"],
                             state=bytes(row["state"])) for row in cursor.fetchall()]


def _sqlite_events_of(recorder, aggregate_ids: list[UUID], up_to: int) -> list[Notification]:
    found: list[Notification] = []
    with recorder.datastore.transaction(commit=False) as cursor:
        for start in range(0, len(aggregate_ids), 500):  # SQLite's bound-parameter limit
            chunk = [aggregate_id.hex for aggregate_id in aggregate_ids[start:start + 500]]
            cursor.execute(f"SELECT rowid, * FROM {recorder.events_table_name} "  # a fixed name
                           f"WHERE rowid <= ? AND originator_id IN ({', '.join('?' * len(chunk))})",
                           (up_to, *chunk))
            found.extend(Notification(id=row["rowid"], originator_id=recorder.convert_originator_id(row["originator_id"]),
                                      originator_version=row["originator_version"], topic=row["topic"],
                                      state=row["state"]) for row in cursor.fetchall())
    return sorted(found, key=lambda notification: notification.id)


def _postgres_existing(recorder, ids: list[UUID]) -> set[UUID]:
    from psycopg.sql import SQL, Identifier  # only on the PostgreSQL path

    statement = SQL(
        "SELECT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s) AND originator_version = 1"
    ).format(schema=Identifier(recorder.datastore.schema or "public"), table=Identifier(recorder.events_table_name))
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, (list(ids),))
        return {row["originator_id"] for row in cursor.fetchall()}


def _sqlite_existing(recorder, ids: list[UUID]) -> set[UUID]:
    found: set[UUID] = set()
    with recorder.datastore.transaction(commit=False) as cursor:
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = [aggregate_id.hex for aggregate_id in ids[start:start + 500]]
            cursor.execute(f"SELECT originator_id FROM {recorder.events_table_name} "  # a fixed name
                           f"WHERE originator_version = 1 AND originator_id IN ({', '.join('?' * len(chunk))})",
                           chunk)
            found.update(UUID(row[0]) for row in cursor.fetchall())
    return found


def _postgres_notification_id(recorder, originator_id: UUID, version: int) -> int | None:
    from psycopg.sql import SQL, Identifier  # only on the PostgreSQL path

    statement = SQL(
        "SELECT notification_id FROM {schema}.{table} "
        "WHERE originator_id = %s AND originator_version = %s"
    ).format(schema=Identifier(recorder.datastore.schema or "public"),
             table=Identifier(recorder.events_table_name))
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, (originator_id, version))
        row = cursor.fetchone()
    return row["notification_id"] if row else None


def _sqlite_notification_id(recorder, originator_id: UUID, version: int) -> int | None:
    statement = (
        f"SELECT rowid FROM {recorder.events_table_name} "  # a fixed table name, not a value
        "WHERE originator_id = ? AND originator_version = ?"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, (originator_id.hex, version))
        row = cursor.fetchone()
    return row[0] if row else None


def _popo_notification_id(recorder, originator_id: UUID, version: int) -> int | None:
    index = recorder._stored_events_index.get(str(originator_id), {})  # in-memory store only
    position = index.get(version)
    return None if position is None else position + 1


def _module_of(recorder: ApplicationRecorder) -> str:
    """The library's persistence module a recorder comes from (ours, in `tracker.recorder` and
    `tracker.keys`, subclass the library's)."""
    modules = [cls.__module__ for cls in type(recorder).__mro__]
    return next((module for module in ("eventsourcing.postgres", "eventsourcing.sqlite") if module in modules),
                modules[0])
