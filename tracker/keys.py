"""The SQLite and in-memory recorders that keep the pupils' identity keys beside the events,
written in the transaction that stores the events needing them (PostgreSQL's: tracker/recorder.py)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from tracker.identity import ERASURES, KEYS_TABLE

CHUNK = 500  # bound parameters per statement, well inside SQLite's limit


def _chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class SQLiteKeyedRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder with a table of keys, written in the events' own transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (originator_id TEXT PRIMARY KEY, key BLOB NOT NULL) "
                "WITHOUT ROWID"]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        returning = super().insert_events(stored_events, **kwargs)
        if kwargs.get("erased_keys"):
            self.compact_keys()
        return returning

    def _insert_events(self, c, stored_events: Sequence[StoredEvent], *, new_keys: dict | None = None,
                       erased_keys: Sequence[UUID] = (), **kwargs: Any) -> Sequence[int] | None:
        returning = super()._insert_events(c, stored_events, **kwargs)
        self._write_keys(c, new_keys or {}, erased_keys)
        return returning

    def _write_keys(self, c, new_keys: dict[UUID, bytes], erased: Sequence[UUID]) -> int:
        if new_keys:
            c.executemany(f"INSERT INTO {KEYS_TABLE} VALUES (?, ?) "
                          "ON CONFLICT (originator_id) DO UPDATE SET key = excluded.key",
                          [(pupil.hex, key) for pupil, key in sorted(new_keys.items())])
        deleted = 0
        if erased:
            # Overwrite the deleted row's bytes in the file, not just unlink them (see docs/erasure.md).
            c.execute("PRAGMA secure_delete = ON")
            for chunk in _chunks([pupil.hex for pupil in erased]):
                c.execute(f"DELETE FROM {KEYS_TABLE} WHERE originator_id IN ({', '.join('?' * len(chunk))})", chunk)
                c.execute("SELECT changes()")
                deleted += c.fetchone()[0]
        return deleted

    def select_keys(self, ids: Sequence[UUID]) -> dict[UUID, bytes]:
        with self.datastore.transaction(commit=False) as c:
            return self._held(c, ids)

    def _held(self, c, ids: Sequence[UUID]) -> dict[UUID, bytes]:
        found: dict[UUID, bytes] = {}
        for chunk in _chunks([pupil.hex for pupil in ids]):
            c.execute(f"SELECT originator_id, key FROM {KEYS_TABLE} "
                      f"WHERE originator_id IN ({', '.join('?' * len(chunk))})", chunk)
            found.update((UUID(row[0]), bytes(row[1])) for row in c.fetchall())
        return found

    def destroy_keys(self, ids: Sequence[UUID]) -> int:
        with self._writing() as c:
            destroyed = self._write_keys(c, {}, list(ids))
        self.compact_keys()
        return destroyed

    def compact_keys(self) -> None:
        """A deleted key's page, zeroed in the file, is still whole in the write-ahead log until this."""
        with self.datastore.get_connection(commit=True) as connection:
            connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def rewrite_identities(self, events: Sequence[StoredEvent], reseal) -> int:
        with self._writing() as c:
            fresh = [self._stored(c, event.originator_id, event.originator_version) for event in events]
            fresh = [event for event in fresh if event is not None]
            pupils = sorted({event.originator_id for event in fresh})
            resealed, keys = reseal(fresh, self._erased(c, pupils), self._held(c, pupils))
            c.executemany(f"UPDATE {self.events_table_name} SET state = ? "  # a fixed name, not a value
                          "WHERE originator_id = ? AND originator_version = ?",
                          [(e.state, e.originator_id.hex, e.originator_version) for e in resealed])
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
        c.execute(f"SELECT topic, state FROM {self.events_table_name} "
                  "WHERE originator_id = ? AND originator_version = ?", (originator_id.hex, version))
        row = c.fetchone()
        return StoredEvent(originator_id, version, row[0], row[1]) if row else None

    def _erased(self, c, ids: list[UUID]) -> set[UUID]:
        erased: set[UUID] = set()
        for chunk in _chunks([pupil.hex for pupil in ids], CHUNK - len(ERASURES)):
            c.execute(f"SELECT DISTINCT originator_id FROM {self.events_table_name} WHERE topic IN "
                      f"({', '.join('?' * len(ERASURES))}) AND originator_id IN ({', '.join('?' * len(chunk))})",
                      (*ERASURES, *chunk))
            erased.update(UUID(row[0]) for row in c.fetchall())
        return erased

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        """A transaction holding the write lock from its start, so what it reads stays true until it commits."""
        with self.datastore.get_connection(commit=True) as connection:
            c = connection.cursor()
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                connection.rollback()
                raise
            connection.commit()


class POPOKeyedRecorder(POPOApplicationRecorder):
    """The in-memory recorder with a dictionary of keys, changed under the lock that stores events."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[UUID, bytes] = {}

    def _update_table(self, stored_events: Sequence[StoredEvent], *, new_keys: dict | None = None,
                      erased_keys: Sequence[UUID] = (), **kwargs: Any) -> Sequence[int] | None:
        ids = super()._update_table(stored_events, **kwargs)  # after the uniqueness check passed
        self.keys.update(new_keys or {})
        self.destroy_keys(erased_keys)
        return ids

    def select_keys(self, ids: Sequence[UUID]) -> dict[UUID, bytes]:
        with self._database_lock:
            return {pupil: self.keys[pupil] for pupil in ids if pupil in self.keys}

    def destroy_keys(self, ids: Sequence[UUID]) -> int:
        with self._database_lock:
            return sum(self.keys.pop(pupil, None) is not None for pupil in ids)

    def rewrite_identities(self, events: Sequence[StoredEvent], reseal) -> int:
        with self._database_lock:
            at = {(e.originator_id, e.originator_version): self._stored_events_index[str(e.originator_id)]
                  .get(e.originator_version) for e in events}
            fresh = [self._stored_events[position] for position in at.values() if position is not None]
            erased = {e.originator_id for e in fresh if any(
                self._stored_events[p].topic in ERASURES for p in self._stored_events_index[str(e.originator_id)].values())}
            resealed, keys = reseal(fresh, erased, {e.originator_id: self.keys[e.originator_id]
                                                    for e in fresh if e.originator_id in self.keys})
            for event in resealed:
                self._stored_events[at[(event.originator_id, event.originator_version)]] = event
            self.keys.update(keys)
        return len(resealed)

    def compact(self) -> None:
        """Nothing is kept anywhere but in the objects themselves."""

    def compact_keys(self) -> None:
        """Nor here."""
