"""Our PostgreSQL event recorder: the library's, with a faster insert, safer session settings,
table creation serialised between processes, and the questions the write side asks of the store
(tracker/ports.py). The pupils' identity keys beside the events: adapters/postgres_keys.py.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator
from uuid import UUID

import psycopg
from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from adapters import SCHEMA_LOCK_KEY
from adapters.postgres_statements import RenderedStatements
from tracker.ports import StoreQuestions


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
        ).format(
            schema=Identifier(datastore.schema),
            table=Identifier(events_table_name),
            id_type=Identifier(datastore.originator_id_type),
        )

    def _insert_stored_events(self, curs, stored_events: list[StoredEvent], **_) -> None:
        curs.execute(
            self.insert_events_statement,
            (
                [event.originator_id for event in stored_events],
                [event.originator_version for event in stored_events],
                [event.topic for event in stored_events],
                [event.state for event in stored_events],
            ),
        )


class PostgresEventRecorder(
    RenderedStatements, PostgresApplicationRecorder, _ColumnInsert, StoreQuestions
):
    """The library's application recorder (its table lock, NOTIFY and notification ids), with
    its insert replaced: in this order of bases, `PostgresApplicationRecorder`'s calls to
    `super()` reach `_ColumnInsert`'s `__init__` and `_insert_stored_events`; its statements
    rendered to text once (adapters/postgres_statements.py)."""

    def __init__(self, datastore, *, events_table_name: str = "stored_events"):
        # Every statement the store runs reads by key or by position. Until a table has been
        # analysed (a new one; or a server with autovacuum off) the planner has priced reading
        # one aggregate at ~37,000 rows, JIT-compiled it and started parallel workers for it:
        # the national ingest lost 40% of its speed once its log passed six million events.
        # The pool opens on first use (the library's set-up below), so every connection gets
        # them.
        datastore.pool.kwargs["options"] = "-c jit=off -c max_parallel_workers_per_gather=0"
        super().__init__(datastore, events_table_name=events_table_name)
        self.render_statements()
        names = {
            "schema": Identifier(datastore.schema or "public"),
            "table": Identifier(events_table_name),
        }
        self._select_position = SQL(
            "SELECT notification_id FROM {schema}.{table} "
            "WHERE originator_id = %s AND originator_version = %s"
        ).format(**names)
        self._select_created = SQL(
            "SELECT originator_id FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s) AND originator_version = 1"
        ).format(**names)
        self._select_events_of = SQL(
            "SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) "
            "AND notification_id <= %s ORDER BY notification_id"
        ).format(**names)

    def create_table(self) -> None:
        with self._schema_lock():
            super().create_table()

    @contextmanager
    def _schema_lock(self) -> Iterator[None]:
        """Hold the advisory lock every process takes to create tables (adapters.SCHEMA_LOCK_KEY),
        on a connection of its own: the lock goes with the connection."""
        given = self.datastore.pool.kwargs
        with psycopg.connect(
            host=given["host"],
            port=given["port"],
            dbname=given["dbname"],
            user=given["user"],
            password=given["password"] or None,
            connect_timeout=int(self.datastore.pool.timeout),
            autocommit=True,
        ) as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
            yield

    def notification_id_of(self, originator_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select_position, (originator_id, version))
            row = cursor.fetchone()
        return row["notification_id"] if row else None

    def existing_aggregates(self, ids: list[UUID]) -> set[UUID]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select_created, (list(ids),))
            return {row["originator_id"] for row in cursor.fetchall()}

    def events_of(self, aggregate_ids: list[UUID], up_to: int) -> list[Notification]:
        # One query on the store's own index of aggregate and version: a known-at replay needs a
        # school's pupils' and activities' events, scattered through the log, and asking for
        # each aggregate's in turn took one round trip per pupil.
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select_events_of, (list(aggregate_ids), up_to))
            return [
                Notification(
                    id=row["notification_id"],
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in cursor.fetchall()
            ]
