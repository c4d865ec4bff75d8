"""One page of the event log applied in one transaction: batched writes, and the pupils it touched."""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from typing import Any, Sequence

from projections.store import ViewStore

_FIRST_TABLE = re.compile(r"\{(\w+)\}")


@functools.cache  # a page queues a few million writes over a long catch-up, from a few dozen templates
def _table_of(template: str) -> str:
    return _FIRST_TABLE.search(template).group(1)


class Known:
    """Facts that never change once recorded (an aggregate id's URN or UPN), most recent kept."""

    def __init__(self, maxsize: int = 200_000):
        self.maxsize = maxsize
        self._items: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: str, value: Any) -> None:
        self._items[key] = value
        if len(self._items) > self.maxsize:
            self._items.popitem(last=False)


class Page:
    """Writes for one page, queued per table so runs of one statement go in one `executemany`.

    Statements on different tables never depend on each other (no write reads another
    table), so only each table's own order must be kept; reads flush everything first.
    """

    def __init__(self, store: ViewStore, cursor: Any, known: Known):
        self.store = store
        self.cursor = cursor
        self.known = known
        self.dirty_upns: set[str] = set()  # pupils whose milestones are recomputed from their history
        # Pupils who only gained encounters: (occurred_on, academic year, kind, category) of the counted ones.
        self.added: dict[str, list[tuple]] = {}
        self.dirty_schools: set[str] = set()
        self.activity_facts: dict[str, dict[str, Any]] = {}
        self._queues: dict[str, list[tuple[str, list[Sequence]]]] = {}

    def write(self, template: str, params: Sequence) -> None:
        self._rows_of(template).append(params)

    def write_many(self, template: str, rows: list[Sequence]) -> None:
        if rows:
            self._rows_of(template).extend(rows)

    def _rows_of(self, template: str) -> list[Sequence]:
        """The rows queued for `template`, after every earlier write to its table."""
        queue = self._queues.setdefault(_table_of(template), [])
        if not queue or queue[-1][0] != template:
            queue.append((template, []))
        return queue[-1][1]

    def flush(self) -> None:
        """Send queued writes; reads within the page must come after this."""
        for queue in self._queues.values():
            for template, rows in queue:
                self.store.executemany(self.cursor, template, rows)
        self._queues = {}

    def read(self, template: str, params: Sequence = ()) -> list[tuple]:
        self.flush()
        return list(self.store.execute(self.cursor, template, params).fetchall())

    def read_in(self, template: str, values: list[Any], before: Sequence = ()) -> list[tuple]:
        """Rows of a template containing `IN ({in})`, for every one of `values`."""
        rows: list[tuple] = []
        for statement, params in self.store.membership(template, values, before):
            rows.extend(self.read(statement, params))
        return rows

    def write_in(self, template: str, values: list[Any], before: Sequence = ()) -> None:
        self.flush()
        for statement, params in self.store.membership(template, values, before):
            self.store.execute(self.cursor, statement, params)
