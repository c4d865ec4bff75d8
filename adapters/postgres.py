"""Our PostgreSQL event recorder: the library's, with a faster insert, safer session settings,
table creation serialised between processes, and the questions the write side asks of the store
(tracker/ports.py). The pupils' identity keys beside the events: adapters/postgres_keys.py.
"""

from __future__ import annotations

import os
import threading
import time
import zlib
from contextlib import contextmanager
from typing import Iterator, Sequence
from uuid import UUID

import psycopg
from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Identifier, Literal

from adapters import ROLL_LOCKS, SCHEMA_LOCK_KEY
from adapters.postgres_statements import RenderedStatements, rendered
from tracker.ports import StoreQuestions

ROLL_LOCK_WAIT = 2.0  # seconds; then a command writing a roll goes ahead without its lock


def _columns(stored_events: Sequence[StoredEvent]) -> tuple[list, list, list, list]:
    """A batch of events as four arrays, one a column, in the batch's order."""
    return (
        [event.originator_id for event in stored_events],
        [event.originator_version for event in stored_events],
        [event.topic for event in stored_events],
        [event.state for event in stored_events],
    )


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
        curs.execute(self.insert_events_statement, _columns(stored_events))


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
        self._roll_locks = _SessionLocks(self._advisory_connection)
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
        self._define_insert(names)

    def _define_insert(self, names: dict) -> None:
        """The library's insert (the lock timeout, the table's lock, NOTIFY, the INSERT) as one
        function, created with the table: called alone in autocommit, it is one statement and one
        round trip where the library's pipeline sent six (BEGIN, four statements, COMMIT), and the
        log's lock is released at the server's commit, not held across a round trip. Recording
        an activity cost gunicorn 1.83 ms of CPU against 2.22, and the records held closed-loop
        rose by a fifth (docs/performance.md, HTTP, 2026-12-06, afternoon)."""
        self._call_insert = self._insert_function(names, "insert")

    def _insert_function(
        self,
        names: dict,
        suffix: str,
        arrays: Sequence[tuple[str, str]] = (),
        before: Composable | None = None,
    ) -> str:
        """Create `<table>_<suffix>`: the insert above with `before` run first, under the log's
        lock; it takes the four columns' arrays, then one array for each of `arrays` (name,
        element type), named so in `before`. Returns the statement calling it."""
        function = Identifier(f"{self.events_table_name}_{suffix}".replace(".", "_"))
        id_type = Identifier(self.datastore.originator_id_type)
        declared = SQL("").join(
            SQL(", {} {}[]").format(Identifier(name), SQL(kind)) for name, kind in arrays
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}(ids {id_type}[], versions "
                "integer[], topics text[], states bytea[]{declared}) RETURNS SETOF bigint "
                "LANGUAGE plpgsql AS $body$ BEGIN "
                "SET LOCAL lock_timeout = {timeout}; "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "NOTIFY {channel}; {before}"
                "RETURN QUERY INSERT INTO {schema}.{table} "
                "(originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id; "
                "END $body$"
            ).format(
                function=function,
                id_type=id_type,
                declared=declared,
                timeout=Literal(f"{int(self.datastore.lock_timeout)}s"),
                channel=Identifier(self.channel_name),
                before=before or SQL(""),
                **names,
            )
        )
        passed = SQL("").join(SQL(", %b::{}[]").format(SQL(kind)) for _, kind in arrays)
        return rendered(
            SQL(
                "SELECT * FROM {schema}.{function}"
                "(%b::{id_type}[], %b::integer[], %b::text[], %b::bytea[]{passed})"
            ).format(function=function, id_type=id_type, schema=names["schema"], passed=passed)
        )

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs) -> Sequence[int]:
        """The events in one statement; through the library's pipeline where more is to be written
        in the transaction than a function here writes (the keyed recorder's own function takes
        the keys: adapters/postgres_keys.py)."""
        if any(kwargs.values()) or not stored_events:
            return super().insert_events(stored_events, **kwargs)
        return self._insert_in_one_statement(self._call_insert, stored_events)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's
    def _insert_in_one_statement(
        self, statement: str, stored_events: Sequence[StoredEvent], *arrays: list
    ) -> Sequence[int]:
        with (
            self.datastore.get_connection() as connection,
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(statement, (*_columns(stored_events), *arrays), prepare=True)
            return [row[0] for row in cursor.fetchall()]

    def create_table(self) -> None:
        with self._schema_lock():
            super().create_table()

    @contextmanager
    def _schema_lock(self) -> Iterator[None]:
        """Hold the advisory lock every process takes to create tables (adapters.SCHEMA_LOCK_KEY),
        on a connection of its own: the lock goes with the connection."""
        with self._advisory_connection() as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
            yield

    def _advisory_connection(self) -> psycopg.Connection:
        """A connection outside the pool, for advisory locks: they go with the connection."""
        given = self.datastore.pool.kwargs
        return psycopg.connect(
            host=given["host"],
            port=given["port"],
            dbname=given["dbname"],
            user=given["user"],
            password=given["password"] or None,
            connect_timeout=int(self.datastore.pool.timeout),
            autocommit=True,
        )

    @contextmanager
    def writing_roll(self, school: str) -> Iterator[None]:
        # Between gunicorn's processes: two processes of four threads enrolling at one school
        # retried 44-115 times in 300 enrolments, each a decision and a refused insert
        # (docs/performance.md).
        key = zlib.crc32(school.encode()) - 2**31  # PostgreSQL's int4
        held = self._roll_locks.take(key, ROLL_LOCK_WAIT)
        try:
            yield
        finally:
            if held:
                self._roll_locks.give_back(key)

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


class _SessionLocks:
    """This process's advisory locks of one kind (adapters.ROLL_LOCKS), on one connection of its
    own, which threads share only for an instant: a lock is tried, not waited for, so no thread
    holds the connection while another process holds the lock. A lost connection takes its locks
    with it, and whoever was waiting goes ahead."""

    def __init__(self, connect):
        self._connect = connect
        self._connection: psycopg.Connection | None = None
        self._pid = os.getpid()
        self._mutex = threading.Lock()

    def take(self, key: int, wait: float) -> bool:
        """Whether the lock was taken within `wait` seconds; at once False if the store is away
        (the command then meets the store's own error)."""
        deadline, pause = time.monotonic() + wait, 0.0005
        while not (taken := self._call("SELECT pg_try_advisory_lock(%s, %s)", key)):
            if taken is None or time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.01)
        return True

    def give_back(self, key: int) -> None:
        self._call("SELECT pg_advisory_unlock(%s, %s)", key)

    def _call(self, statement: str, key: int) -> bool | None:
        """The statement's answer; None if the store did not answer."""
        with self._mutex:
            if self._pid != os.getpid():  # forked: the parent's session is not this process's
                self._connection, self._pid = None, os.getpid()
            try:
                self._connection = self._connection or self._connect()
                return bool(self._connection.execute(statement, (ROLL_LOCKS, key)).fetchone()[0])
            except psycopg.Error:
                connection, self._connection = self._connection, None
                if connection is not None:
                    connection.close()  # its locks go with it
                return None
