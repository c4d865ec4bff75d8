"""The event recorder's statements rendered to text once, where the library composes them anew
(`psycopg.sql`) for every read of an aggregate and every insert.

psycopg caches a query's conversion when it is given the same text again, but a composed query
is rendered piece by piece at every execute: recording one activity (two aggregate reads and an
insert's lock, NOTIFY and INSERT) spent about a tenth of its in-process CPU there (bench/
record_cpu.py). The statements are the library's, word for word.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composable, Identifier


def rendered(statement: Composable | str) -> str:
    """The statement's text: identifiers here are plain names, quoted without a connection."""
    return statement if isinstance(statement, str) else statement.as_string(None)


class RenderedStatements:
    """Mixed in before the library's application recorder, after its `__init__` has run."""

    def render_statements(self) -> None:
        self.insert_events_statement = rendered(self.insert_events_statement)
        self.lock_table_statements = [rendered(s) for s in self.lock_table_statements]
        self._notify_statement = rendered(SQL("NOTIFY {0}").format(Identifier(self.channel_name)))

    def _notify_channel(self, curs: Any) -> None:
        curs.execute(self._notify_statement)

    @lru_cache(maxsize=16)  # noqa: B019 (one recorder a process; sixteen shapes at most)
    def _select_events_text(self, gt: bool, lte: bool, desc: bool, limit: bool) -> str:
        statement = self.select_events_statement
        statement += SQL(" AND originator_version > %s") if gt else SQL("")
        statement += SQL(" AND originator_version <= %s") if lte else SQL("")
        statement += SQL(" ORDER BY originator_version") + SQL(" DESC" if desc else " ASC")
        statement += SQL(" LIMIT %s") if limit else SQL("")
        return rendered(statement)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        text = self._select_events_text(gt is not None, lte is not None, desc, limit is not None)
        params = [originator_id, *(value for value in (gt, lte, limit) if value is not None)]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(text, params, prepare=True)
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]
