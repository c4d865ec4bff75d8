"""Our PostgreSQL event recorder: the library's, with a faster insert and safer session settings.

Chosen with the library's `APPLICATION_RECORDER_TOPIC` setting (`tracker/config.py`).
"""

from __future__ import annotations

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier


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
