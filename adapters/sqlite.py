"""Our SQLite event recorder: the library's, answering the questions the write side asks of the
store (tracker/ports.py) and loading in bulk without waiting for the disk on every commit.
The pupils' identity keys beside the events: adapters/sqlite_keys.py.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.sqlite import SQLiteApplicationRecorder

from tracker.ports import StoreQuestions

CHUNK = 500  # bound parameters per statement, well inside SQLite's limit


def chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    """`values` in lists of at most `size`, each to bind in one statement."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def placeholders(values: Sequence) -> str:
    """The `?, ?, ...` of an `IN (...)` list binding `values`."""
    return ", ".join("?" * len(values))


class SQLiteEventRecorder(SQLiteApplicationRecorder, StoreQuestions):
    """The library's SQLite recorder with our questions; the table's name in each statement is
    its own fixed name, never a value from outside."""

    def notification_id_of(self, originator_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT rowid FROM {self.events_table_name} "
                "WHERE originator_id = ? AND originator_version = ?",
                (originator_id.hex, version),
            )
            row = cursor.fetchone()
        return row[0] if row else None

    def existing_aggregates(self, ids: list[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        with self.datastore.transaction(commit=False) as cursor:
            for chunk in chunks([aggregate_id.hex for aggregate_id in ids]):
                cursor.execute(
                    f"SELECT originator_id FROM {self.events_table_name} "
                    f"WHERE originator_version = 1 "
                    f"AND originator_id IN ({placeholders(chunk)})",
                    chunk,
                )
                found.update(UUID(row[0]) for row in cursor.fetchall())
        return found

    def events_of(self, aggregate_ids: list[UUID], up_to: int) -> list[Notification]:
        found: list[Notification] = []
        with self.datastore.transaction(commit=False) as cursor:
            for chunk in chunks([aggregate_id.hex for aggregate_id in aggregate_ids]):
                cursor.execute(
                    f"SELECT rowid, * FROM {self.events_table_name} WHERE rowid <= ? "
                    f"AND originator_id IN ({placeholders(chunk)})",
                    (up_to, *chunk),
                )
                found.extend(self._notification(row) for row in cursor.fetchall())
        return sorted(found, key=lambda notification: notification.id)

    def _notification(self, row: Any) -> Notification:
        return Notification(
            id=row["rowid"],
            originator_id=self.convert_originator_id(row["originator_id"]),
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=row["state"],
        )

    @contextmanager
    def bulk_loading(self) -> Iterator[None]:
        """A one-off load into a SQLite file: commits stop waiting for the disk, and all is on it
        at the end.

        Under WAL, `synchronous=NORMAL` writes each commit to the log without an fsync; the file
        stays consistent through a power cut (the log's checksums drop a half-written commit),
        but the last commits may be lost, as if the load had been stopped there. The checkpoint
        at the end syncs everything, so views built afterwards are never ahead of the log. The
        library opens one connection per thread in use; a single-threaded load writes through
        the one this sets. SQLite without WAL (an in-memory database) is left as it is.
        """
        if self._pragma("journal_mode") != "wal":
            yield
            return
        was = self._pragma("synchronous")
        self._pragma("synchronous=NORMAL")
        try:
            yield
        finally:
            self._pragma(f"synchronous={int(was)}")
            self._pragma("wal_checkpoint(TRUNCATE)")

    def _pragma(self, pragma: str) -> Any:
        # Outside a transaction (the library's connections autocommit between them): SQLite
        # refuses to change `synchronous` inside one.
        with self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            cursor.execute(f"PRAGMA {pragma}")  # our own fixed text, never a value from outside
            row = cursor.fetchone()
        return row[0] if row else None
