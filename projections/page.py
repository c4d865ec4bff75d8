"""A page of the log applied in one transaction: its queued writes, and the pupils it touched."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Sequence

from projections import writes
from projections.store import Params, ViewStore
from projections.tables import STAMPED
from projections.writes import Write


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
    """Writes for one page, queued per table so runs of one write go to the database together.

    Writes to different tables never depend on each other (no write reads another table), so
    only each table's own order must be kept; reads flush everything first. A write names its
    table's columns (projections/tables.py); a key is a dict of column values, where None matches
    NULL.
    """

    def __init__(self, store: ViewStore, cursor: Any, known: Known, versions: bool = True):
        self.store = store
        # False where only the page's end is ever read (a replay's scratch views): each pupil's
        # milestones are then computed once, at the last position that touched them.
        self.versions = versions
        self.cursor = cursor
        self.known = known
        self.position = 0  # the log position of the event being applied: stamped on versions
        # The page's moments: a run of positions recorded at one time (one command's events,
        # tracker/domain/base.py: at_one_moment). "As known at T" is always a moment's last
        # position, so a pupil touched twice in one moment needs one version, at the later.
        self._moment, self._recorded_at = 0, ""
        self._moment_touched: dict[str, int] = {}  # the moment each pupil was last touched in
        # Pupils whose encounters were changed or ended: recomputed from their history.
        self.dirty_upns: set[str] = set()
        # Pupils whose roll or year group changed: their rows are rewritten, from their stored
        # dates where the day Year 12 starts stayed where it was.
        self.rolled: set[str] = set()
        # Pupils who only gained encounters: (position, (occurred_on, academic year, kind,
        # category)) of the counted ones.
        self.added: dict[str, list[tuple[int, tuple]]] = {}
        # The positions at which each pupil's milestones may have changed: each gets its version.
        self.touched: dict[str, list[int]] = {}
        self.dirty_schools: set[str] = set()
        self.activity_facts: dict[str, dict[str, Any]] = {}
        self._queues: dict[str, list[tuple[Write, list[Sequence]]]] = {}

    def at(self, position: int, recorded_at: str) -> None:
        """The next event to apply: its position and when it was recorded."""
        self.position = position
        if recorded_at != self._recorded_at:
            self._moment, self._recorded_at = self._moment + 1, recorded_at

    def dirty(self, upns: Iterable[str]) -> None:
        """The pupils' encounters were changed or ended: their milestones are recomputed from
        their history at the page's end."""
        for upn in upns:
            self.dirty_upns.add(upn)
            self._touch(upn)

    def roll_changed(self, upns: Iterable[str]) -> None:
        """The pupils' enrolments or year groups changed: their rows are rewritten at the page's
        end, their encounters unchanged."""
        for upn in upns:
            self.rolled.add(upn)
            self._touch(upn)

    def add(self, upns: Iterable[str], encounters: list[tuple]) -> None:
        """Each of the pupils gained the encounters (occurred_on, year, kind, category; the counted
        ones): one call for an activity's attendees, the tuples shared between them."""
        gained = [(self.position, new) for new in encounters]
        added = self.added
        for upn in upns:
            if upn in added:
                added[upn].extend(gained)
            else:
                added[upn] = list(gained)
            if gained:  # one that does not count changes no milestone: no version to compute
                self._touch(upn)

    def _touch(self, upn: str) -> None:
        positions = self.touched.setdefault(upn, [])
        if positions and (not self.versions or self._moment_touched[upn] == self._moment):
            positions[-1] = self.position
        else:
            positions.append(self.position)
        self._moment_touched[upn] = self._moment

    def insert(self, table: str, rows: list[Sequence]) -> None:
        """Whole rows, their values in the table's column order (a versioned table's `vfrom`
        added here)."""
        if rows:
            self._rows_of(writes.insert(table)).extend(self._stamped(table, rows))

    def upsert(self, table: str, key: tuple[str, ...], rows: list[Sequence]) -> None:
        """Whole rows; a row whose `key` columns match a stored row's replaces it (last wins)."""
        if rows:
            self._rows_of(writes.upsert(table, key)).extend(self._stamped(table, rows))

    def _stamped(self, table: str, rows: list[Sequence]) -> list[Sequence]:
        if table not in STAMPED:
            return rows
        position = self.position
        return [(*row, position) for row in rows]

    def _stamp(self, table: str) -> tuple:
        """The position bound after an update's values, where the table keeps versions."""
        return (self.position,) if table in STAMPED else ()

    def upsert_greatest(self, table: str, key: tuple[str, ...], rows: list[Sequence]) -> None:
        """Whole rows; a row whose `key` columns match a stored row's raises its other columns to
        the new values, never lowers them."""
        if rows:
            self._rows_of(writes.upsert_greatest(table, key)).extend(rows)

    def update(self, table: str, key: dict[str, Any], **values: Any) -> None:
        """Set the columns named in `values` in the rows matching `key`."""
        shape, matching = writes.key_shape(key)
        rows = self._rows_of(writes.update(table, tuple(values), shape))
        rows.append((*values.values(), *self._stamp(table), *matching))

    def increment(self, table: str, key: dict[str, Any], **amounts: int) -> None:
        """Add to the columns named in `amounts` in the rows matching `key`."""
        shape, matching = writes.key_shape(key)
        rows = self._rows_of(writes.increment(table, tuple(amounts), shape))
        rows.append((*amounts.values(), *self._stamp(table), *matching))

    def delete(self, table: str, key: dict[str, Any]) -> None:
        """Delete the rows matching `key`."""
        shape, matching = writes.key_shape(key)
        if table in STAMPED:  # stamped first, so the trigger keeps the version the delete ends
            self._rows_of(writes.update(table, (), shape)).append((self.position, *matching))
        self._rows_of(writes.delete(table, shape)).append(matching)

    def delete_among(
        self, table: str, column: str, values: list[Any], key: dict[str, Any] | None = None
    ) -> None:
        """Delete the rows matching `key` whose `column` holds any of `values`."""
        shape, _matching = writes.key_shape(key or {})
        self.flush()
        if table in STAMPED:
            stamp = writes.stamp_among(table, shape, column)
            for statement, params in self.store.membership(
                stamp, values, {**(key or {}), "vfrom": self.position}
            ):
                self.store.execute(self.cursor, statement, params)
        template = writes.delete_among(table, shape, column)
        for statement, params in self.store.membership(template, values, key):
            self.store.execute(self.cursor, statement, params)

    def _rows_of(self, write: Write) -> list[Sequence]:
        """The rows queued for `write`, after every earlier write to its table."""
        queue = self._queues.setdefault(write.table, [])
        if not queue or queue[-1][0] is not write:  # each write is made once (writes.py)
            queue.append((write, []))
        return queue[-1][1]

    def flush(self) -> None:
        """Send queued writes; reads within the page must come after this."""
        for queue in self._queues.values():
            for write, rows in queue:
                self.store.write(self.cursor, write, rows)
        self._queues = {}

    def read(self, template: str, params: Params = ()) -> list[tuple]:
        self.flush()
        return list(self.store.execute(self.cursor, template, params).fetchall())

    def read_in(
        self, template: str, values: list[Any], params: dict[str, Any] | None = None
    ) -> list[tuple]:
        """Rows of a template containing `IN ({in})`, for every one of `values`; its other
        parameters, if any, are named."""
        rows: list[tuple] = []
        for statement, bound in self.store.membership(template, values, params):
            rows.extend(self.read(statement, bound))
        return rows
