"""Our PostgreSQL event recorder: the library's, with a faster insert, safer session settings, and
the pupils' identity keys kept beside the events (tracker/identity.py).

Chosen with the library's `APPLICATION_RECORDER_TOPIC` setting (`tracker/config.py`).
"""

from __future__ import annotations

from typing import Any, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from tracker.identity import ERASURES, KEYS_TABLE


class _ColumnInsert(PostgresAggregateRecorder):
    """Inserts a batch of events as four arrays, one a column, where the library sends one array
    of a composite type. psycopg writes a composite value in Python, field by field, escaping
    the event's bytes as text, and the server parses it back: for a batch of 2,000 events
    65 ms of our CPU against 14 ms as columns. The rows and their order are the library's, and
    the application recorder still adds its `RETURNING notification_id` to this statement.
    """

    def __init__(self, datastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::integer[], %b::text[], %b::bytea[])"
        ).format(schema=Identifier(datastore.schema), table=Identifier(events_table_name),
                 id_type=Identifier(datastore.originator_id_type))

    def _insert_stored_events(self, curs, stored_events: list[StoredEvent], **_) -> None:
        curs.execute(self.insert_events_statement, (
            [event.originator_id for event in stored_events],
            [event.originator_version for event in stored_events],
            [event.topic for event in stored_events],
            [event.state for event in stored_events]))


class PostgresEventRecorder(PostgresApplicationRecorder, _ColumnInsert):
    """The library's application recorder (its table lock, NOTIFY and notification ids), with
    its insert replaced: in this order of bases, `PostgresApplicationRecorder`'s calls to
    `super()` reach `_ColumnInsert`'s `__init__` and `_insert_stored_events`."""

    def __init__(self, datastore, *, events_table_name: str = "stored_events"):
        # Every statement the store runs reads by key or by position. Until a table has been
        # analysed (a new one; or a server with autovacuum off) the planner has priced reading
        # one aggregate at ~37,000 rows, JIT-compiled it and started parallel workers for it:
        # the national ingest lost 40% of its speed once its log passed six million events.
        # The pool opens on first use (the library's set-up below), so every connection gets them.
        datastore.pool.kwargs["options"] = "-c jit=off -c max_parallel_workers_per_gather=0"
        super().__init__(datastore, events_table_name=events_table_name)


class PostgresKeyedRecorder(PostgresEventRecorder):
    """Writes each pupil's identity key in the transaction that stores the events needing it."""

    def __init__(self, datastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        names = {"schema": Identifier(datastore.schema), "keys": Identifier(KEYS_TABLE),
                 "events": Identifier(events_table_name)}
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{keys} (originator_id uuid PRIMARY KEY, key bytea NOT NULL)"
        ).format(**names))
        self._put_keys = SQL("INSERT INTO {schema}.{keys} SELECT * FROM unnest(%s::uuid[], %s::bytea[]) "
                             "ON CONFLICT (originator_id) DO UPDATE SET key = excluded.key").format(**names)
        self._delete_keys = SQL("DELETE FROM {schema}.{keys} WHERE originator_id = ANY(%s)").format(**names)
        self._select_keys = SQL("SELECT originator_id, key FROM {schema}.{keys} WHERE originator_id = ANY(%s)"
                                ).format(**names)
        self._select_versions = SQL("SELECT originator_id, originator_version, topic, state FROM {schema}.{events} "
                                    "WHERE (originator_id, originator_version) IN "
                                    "(SELECT * FROM unnest(%s::uuid[], %s::integer[])) FOR UPDATE").format(**names)
        self._select_erased = SQL("SELECT DISTINCT originator_id FROM {schema}.{events} "
                                  "WHERE originator_id = ANY(%s) AND topic = ANY(%s)").format(**names)
        self._replace_state = SQL("UPDATE {schema}.{events} SET state = %s "
                                  "WHERE originator_id = %s AND originator_version = %s").format(**names)

    def _insert_events(self, curs, stored_events: Sequence[StoredEvent], *, new_keys: dict | None = None,
                       erased_keys: Sequence[UUID] = (), **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        if new_keys or erased_keys:
            # The events' table lock first, as every writer of keys takes it: none waits on another's keys.
            self._lock_table(curs)
            self._write_keys(curs, new_keys or {}, erased_keys)

    def _write_keys(self, curs, new_keys: dict[UUID, bytes], erased: Sequence[UUID]) -> None:
        if new_keys:
            ids = sorted(new_keys)
            curs.execute(self._put_keys, (ids, [new_keys[i] for i in ids]))
        if erased:
            curs.execute(self._delete_keys, (list(erased),))

    def select_keys(self, ids: Sequence[UUID]) -> dict[UUID, bytes]:
        if not ids:
            return {}
        with self.datastore.get_connection() as connection, connection.cursor() as curs:
            curs.execute(self._select_keys, (list(ids),))
            return {row["originator_id"]: bytes(row["key"]) for row in curs.fetchall()}

    def destroy_keys(self, ids: Sequence[UUID]) -> int:
        if not ids:
            return 0
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            curs.execute(self._delete_keys, (list(ids),))
            return curs.rowcount

    def rewrite_identities(self, events: Sequence[StoredEvent], reseal) -> int:
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)  # no event is written meanwhile: an erasure cannot slip in between
            curs.execute(self._select_versions, ([e.originator_id for e in events],
                                                 [e.originator_version for e in events]))
            fresh = [StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
                     for row in curs.fetchall()]
            pupils = sorted({e.originator_id for e in fresh})
            curs.execute(self._select_erased, (pupils, list(ERASURES)))
            erased = {row["originator_id"] for row in curs.fetchall()}
            curs.execute(self._select_keys, (pupils,))
            held = {row["originator_id"]: bytes(row["key"]) for row in curs.fetchall()}
            resealed, keys = reseal(fresh, erased, held)
            curs.executemany(self._replace_state, [(e.state, e.originator_id, e.originator_version)
                                                   for e in resealed])
            self._write_keys(curs, keys, ())
        return len(resealed)

    def compact(self) -> None:
        self._vacuum_full(self.events_table_name, KEYS_TABLE)

    def compact_keys(self) -> None:
        self._vacuum_full(KEYS_TABLE)

    def _vacuum_full(self, *tables: str) -> None:
        # An updated or deleted row stays in the table's file, readable on disk, until the file is
        # rewritten; a plain VACUUM frees the space but need not overwrite it. FULL locks the table.
        with self.datastore.get_connection() as connection:  # autocommit: VACUUM runs outside a transaction
            for table in tables:
                connection.execute(SQL("VACUUM (FULL) {}.{}").format(Identifier(self.datastore.schema),
                                                                      Identifier(table)))
