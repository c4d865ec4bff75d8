"""The SQLite recorder that keeps the pupils' identity keys beside the events (tracker/identity.py),
written in the transaction that stores the events needing them.

Chosen with the library's `APPLICATION_RECORDER_TOPIC` setting (`tracker/config.py`).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from adapters.sqlite import CHUNK, SQLiteEventRecorder, chunks, placeholders
from tracker.identity import ERASURES, KEYS_TABLE


class SQLiteKeyedRecorder(SQLiteEventRecorder):
    """Our SQLite recorder with a table of keys, written in the events' own transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} "
            "(originator_id TEXT PRIMARY KEY, key BLOB NOT NULL) WITHOUT ROWID",
        ]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        returning = super().insert_events(stored_events, **kwargs)
        if kwargs.get("erased_keys"):
            self.compact_keys()
        return returning

    def _insert_events(
        self,
        c,
        stored_events: Sequence[StoredEvent],
        *,
        new_keys: dict | None = None,
        erased_keys: Sequence[UUID] = (),
        **kwargs: Any,
    ) -> Sequence[int] | None:
        returning = super()._insert_events(c, stored_events, **kwargs)
        self._write_keys(c, new_keys or {}, erased_keys)
        return returning

    def _write_keys(self, c, new_keys: dict[UUID, bytes], erased: Sequence[UUID]) -> int:
        if new_keys:
            c.executemany(
                f"INSERT INTO {KEYS_TABLE} VALUES (?, ?) "
                "ON CONFLICT (originator_id) DO UPDATE SET key = excluded.key",
                [(pupil.hex, key) for pupil, key in sorted(new_keys.items())],
            )
        deleted = 0
        if erased:
            # Overwrite the deleted row's bytes in the file, not just unlink them
            # (see docs/erasure.md).
            c.execute("PRAGMA secure_delete = ON")
            for chunk in chunks([pupil.hex for pupil in erased]):
                c.execute(
                    f"DELETE FROM {KEYS_TABLE} WHERE originator_id IN ({placeholders(chunk)})",
                    chunk,
                )
                c.execute("SELECT changes()")
                deleted += c.fetchone()[0]
        return deleted

    def select_keys(self, ids: Sequence[UUID]) -> dict[UUID, bytes]:
        with self.datastore.transaction(commit=False) as c:
            return self._held(c, ids)

    def _held(self, c, ids: Sequence[UUID]) -> dict[UUID, bytes]:
        found: dict[UUID, bytes] = {}
        for chunk in chunks([pupil.hex for pupil in ids]):
            c.execute(
                f"SELECT originator_id, key FROM {KEYS_TABLE} "
                f"WHERE originator_id IN ({placeholders(chunk)})",
                chunk,
            )
            found.update((UUID(row[0]), bytes(row[1])) for row in c.fetchall())
        return found

    def destroy_keys(self, ids: Sequence[UUID]) -> int:
        with self._writing() as c:
            destroyed = self._write_keys(c, {}, list(ids))
        self.compact_keys()
        return destroyed

    def compact_keys(self) -> None:
        """A deleted key's page, zeroed in the file, is still whole in the write-ahead log until
        this."""
        with self.datastore.get_connection(commit=True) as connection:
            connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def rewrite_identities(self, events: Sequence[StoredEvent], reseal) -> int:
        with self._writing() as c:
            fresh = [
                self._stored(c, event.originator_id, event.originator_version) for event in events
            ]
            fresh = [event for event in fresh if event is not None]
            pupils = sorted({event.originator_id for event in fresh})
            resealed, keys = reseal(fresh, self._erased(c, pupils), self._held(c, pupils))
            # The table's own fixed name, not a value.
            c.executemany(
                f"UPDATE {self.events_table_name} SET state = ? "
                "WHERE originator_id = ? AND originator_version = ?",
                [(e.state, e.originator_id.hex, e.originator_version) for e in resealed],
            )
            self._write_keys(c, keys, ())
        return len(resealed)

    def compact(self) -> None:
        """Rewrite the file without the pages rows were updated or deleted from, and empty the log
        of changes (write-ahead log) that still holds their earlier contents."""
        with self.datastore.get_connection(commit=True) as connection:
            c = connection.cursor()
            c.execute("VACUUM")
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _stored(self, c, originator_id: UUID, version: int) -> StoredEvent | None:
        c.execute(
            f"SELECT topic, state FROM {self.events_table_name} "
            "WHERE originator_id = ? AND originator_version = ?",
            (originator_id.hex, version),
        )
        row = c.fetchone()
        return StoredEvent(originator_id, version, row[0], row[1]) if row else None

    def _erased(self, c, ids: list[UUID]) -> set[UUID]:
        erased: set[UUID] = set()
        for chunk in chunks([pupil.hex for pupil in ids], CHUNK - len(ERASURES)):
            c.execute(
                f"SELECT DISTINCT originator_id FROM {self.events_table_name} "
                f"WHERE topic IN ({placeholders(ERASURES)}) "
                f"AND originator_id IN ({placeholders(chunk)})",
                (*ERASURES, *chunk),
            )
            erased.update(UUID(row[0]) for row in c.fetchall())
        return erased

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        """A transaction holding the write lock from its start, so what it reads stays true until
        it commits."""
        with self.datastore.get_connection(commit=True) as connection:
            c = connection.cursor()
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                connection.rollback()
                raise
            connection.commit()
