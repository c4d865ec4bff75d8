"""The PostgreSQL recorder that keeps the pupils' identity keys beside the events
(tracker/identity.py), written in the transaction that stores the events needing them.

Chosen with the library's `APPLICATION_RECORDER_TOPIC` setting (`tracker/config.py`).
"""

from __future__ import annotations

from typing import Any, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Identifier

from adapters.postgres import PostgresEventRecorder
from tracker.identity import ERASURES, KEYS_TABLE

# The keys' upsert and deletion: the library's pipeline sends them as statements, the keyed insert
# function runs them on its arrays.
_PUT_KEYS = (
    "INSERT INTO {schema}.{keys} SELECT * FROM unnest({ids}, {values}) "
    "ON CONFLICT (originator_id) DO UPDATE SET key = excluded.key"
)
_DELETE_KEYS = "DELETE FROM {schema}.{keys} WHERE originator_id = ANY({erased})"


class PostgresKeyedRecorder(PostgresEventRecorder):
    """Writes each pupil's identity key in the transaction that stores the events needing it."""

    def __init__(self, datastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        names = {
            "schema": Identifier(datastore.schema),
            "keys": Identifier(KEYS_TABLE),
            "events": Identifier(events_table_name),
        }
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{keys} "
                "(originator_id uuid PRIMARY KEY, key bytea NOT NULL)"
            ).format(**names)
        )
        self._put_keys = SQL(_PUT_KEYS).format(
            ids=SQL("%s::uuid[]"), values=SQL("%s::bytea[]"), **names
        )
        self._delete_keys = SQL(_DELETE_KEYS).format(erased=SQL("%s"), **names)
        self._select_keys = SQL(
            "SELECT originator_id, key FROM {schema}.{keys} WHERE originator_id = ANY(%s)"
        ).format(**names)
        self._select_versions = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {schema}.{events} "
            "WHERE (originator_id, originator_version) IN "
            "(SELECT * FROM unnest(%s::uuid[], %s::integer[])) FOR UPDATE"
        ).format(**names)
        self._select_erased = SQL(
            "SELECT DISTINCT originator_id FROM {schema}.{events} "
            "WHERE originator_id = ANY(%s) AND topic = ANY(%s)"
        ).format(**names)
        self._replace_state = SQL(
            "UPDATE {schema}.{events} SET state = %s "
            "WHERE originator_id = %s AND originator_version = %s"
        ).format(**names)
        # A new pupil's enrolment, an erasure: the keys beside the events in the one statement
        # of every other write (adapters/postgres.py), under the log's lock, where the library's
        # pipeline held that lock across its round trips.
        self._call_insert_keyed = self._insert_function(
            {"schema": names["schema"], "table": names["events"], "keys": names["keys"]},
            "insert_keyed",
            (("key_ids", "uuid"), ("key_values", "bytea"), ("erased_ids", "uuid")),
            SQL(f"{_PUT_KEYS}; {_DELETE_KEYS}; ").format(
                ids=Identifier("key_ids"),
                values=Identifier("key_values"),
                erased=Identifier("erased_ids"),
                **names,
            ),
        )

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        new_keys: dict | None = None,
        erased_keys: Sequence[UUID] = (),
        **kwargs: Any,
    ) -> Sequence[int]:
        if not stored_events or any(kwargs.values()) or not (new_keys or erased_keys):
            return super().insert_events(
                stored_events, new_keys=new_keys, erased_keys=erased_keys, **kwargs
            )
        ids = sorted(new_keys or {})
        return self._insert_in_one_statement(
            self._call_insert_keyed,
            stored_events,
            ids,
            [new_keys[i] for i in ids],
            list(erased_keys),
        )

    def _insert_events(
        self,
        curs,
        stored_events: Sequence[StoredEvent],
        *,
        new_keys: dict | None = None,
        erased_keys: Sequence[UUID] = (),
        **kwargs: Any,
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        if new_keys or erased_keys:
            # The events' table lock first, as every writer of keys takes it: none waits on
            # another's keys.
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
            # No event is written meanwhile: an erasure cannot slip in between.
            self._lock_table(curs)
            curs.execute(
                self._select_versions,
                ([e.originator_id for e in events], [e.originator_version for e in events]),
            )
            fresh = [
                StoredEvent(
                    row["originator_id"],
                    row["originator_version"],
                    row["topic"],
                    bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]
            pupils = sorted({e.originator_id for e in fresh})
            curs.execute(self._select_erased, (pupils, list(ERASURES)))
            erased = {row["originator_id"] for row in curs.fetchall()}
            curs.execute(self._select_keys, (pupils,))
            held = {row["originator_id"]: bytes(row["key"]) for row in curs.fetchall()}
            resealed, keys = reseal(fresh, erased, held)
            curs.executemany(
                self._replace_state,
                [(e.state, e.originator_id, e.originator_version) for e in resealed],
            )
            self._write_keys(curs, keys, ())
        return len(resealed)

    def compact(self) -> None:
        self._vacuum_full(self.events_table_name, KEYS_TABLE)

    def compact_keys(self) -> None:
        self._vacuum_full(KEYS_TABLE)

    def _vacuum_full(self, *tables: str) -> None:
        # An updated or deleted row stays in the table's file, readable on disk, until the file is
        # rewritten; a plain VACUUM frees the space but need not overwrite it. FULL locks the table.
        # The pool's connections autocommit: VACUUM runs outside a transaction.
        with self.datastore.get_connection() as connection:
            for table in tables:
                connection.execute(
                    SQL("VACUUM (FULL) {}.{}").format(
                        Identifier(self.datastore.schema), Identifier(table)
                    )
                )
