"""One page of the event log applied in one transaction: batched writes, and the pupils it touched."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Sequence

from projections.store import ViewStore

CHUNK = 500


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
    """Writes for one page, grouped so runs of the same statement go in one `executemany`."""

    def __init__(self, store: ViewStore, cursor: Any, known: Known):
        self.store = store
        self.cursor = cursor
        self.known = known
        self.dirty_upns: set[str] = set()
        self.activity_facts: dict[str, dict[str, Any]] = {}
        self._template: str | None = None
        self._rows: list[Sequence] = []

    def write(self, template: str, params: Sequence) -> None:
        if template != self._template:
            self.flush()
            self._template = template
        self._rows.append(params)

    def write_many(self, template: str, rows: list[Sequence]) -> None:
        for row in rows:
            self.write(template, row)

    def flush(self) -> None:
        """Send queued writes; reads within the page must come after this."""
        if self._rows:
            self.store.executemany(self.cursor, self._template, self._rows)
        self._template, self._rows = None, []

    def read(self, template: str, params: Sequence = ()) -> list[tuple]:
        self.flush()
        return list(self.store.execute(self.cursor, template, params).fetchall())

    def read_in(self, template: str, values: list[Any], before: Sequence = ()) -> list[tuple]:
        """Rows of a template containing `{in}`, for `values` in chunks the databases accept."""
        rows: list[tuple] = []
        for start in range(0, len(values), CHUNK):
            chunk = values[start:start + CHUNK]
            statement = template.replace("{in}", ", ".join("?" * len(chunk)))
            rows.extend(self.read(statement, (*before, *chunk)))
        return rows

    def write_in(self, template: str, values: list[Any], before: Sequence = ()) -> None:
        self.flush()
        for start in range(0, len(values), CHUNK):
            chunk = values[start:start + CHUNK]
            statement = template.replace("{in}", ", ".join("?" * len(chunk)))
            self.store.execute(self.cursor, statement, (*before, *chunk))
