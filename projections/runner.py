"""The projection runner: a page of the log at a time, rows and tracking position in one
transaction."""

from __future__ import annotations

import logging
import threading
import time
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from adapters import unavailable_errors
from projections.page import Known, Page
from projections.projection import CareersProjection, Indexed
from projections.store import ViewStore
from projections.tables import SCHEMA

log = logging.getLogger(__name__)
PAGE_SIZE = 5000  # per transaction when behind; a pupil touched twice in a page is recomputed once
TRACKING_NAME = "views"
# The live worker's pages begin at most this often while writes keep coming (Runner.run_forever).
GATHER_SECONDS = 0.02
ANALYSE_AFTER = (
    50_000  # events applied in one catch-up: a bulk load, after which the planner needs statistics
)


class Runner:
    """Brings one view store up to the head of one application's notification log."""

    def __init__(
        self,
        app: Any,
        store: ViewStore,
        page_size: int = PAGE_SIZE,
        analyse_after: int = ANALYSE_AFTER,
    ):
        self.app = app
        self.store = store
        self.page_size = page_size
        self.analyse_after = analyse_after
        self.projection = CareersProjection()
        self.known = Known()
        self._lock = threading.Lock()
        self._log_checked = False  # the views' position against the log, once: see _check_not_ahead

    def catch_up(
        self, until: int | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Apply pages until the log (or position `until`) is reached; returns events applied.
        `progress` is told the events applied so far after each page (a command's progress bar)."""
        applied = 0
        with self._lock, ReadAhead(self.app, self.page_size, self.projection.index) as log_pages:
            while (count := self._apply_next_page(until, log_pages)) > 0:
                applied += count
                if progress is not None:
                    progress(applied)
                if (
                    count < self.page_size
                ):  # the page ended where the log did: no need to look again
                    break
        if applied >= self.analyse_after:
            self.store.analyse()
        return applied

    def _apply_next_page(self, until: int | None, log_pages: "ReadAhead") -> int:
        # The position is read inside the transaction that writes it, so two runners
        # (or a runner and a rebuild) can never apply the same page twice.
        with self.store.transaction() as cursor:
            position = _locked_position(self.store, cursor)
            if not self._log_checked:  # once: the embedded API catches up on every request
                _check_schema(self.store, cursor)
                _check_not_ahead(self.app, position)
                self._log_checked = True
            if until is not None and position >= until:
                return 0
            events = log_pages.starting_at(position + 1, until)
            if not events:
                return 0
            last = events[-1][0]
            self._apply(events, Page(self.store, cursor, self.known), last)
            _write_position(self.store, cursor, last)
        return len(events)

    def _apply(self, events: list[tuple[int, Indexed]], page: Page, position: int) -> None:
        for _, indexed in events:
            self.projection.apply_indexed(indexed, page)
        self.projection.finish(page, position)

    def run_forever(
        self,
        stop: threading.Event,
        wake: Callable[[float], bool] | None = None,
        poll_seconds: float = 1.0,
        gather_seconds: float = 0.0,
    ) -> None:
        """Catch up, then wait for a wake-up (or the poll timeout, so a lost one never stalls
        us). `wake(seconds)` says whether new events were announced within `seconds`.

        When writes were announced while a catch-up ran, they are coming faster than pages are
        applied: the next page then begins `gather_seconds` after the last one began, so it
        carries the writes of that time instead of one or two each. A page's fixed cost (its
        transaction, the tracking row, a statement per table, the milestones' reads) is most of a
        live page's (docs/performance.md, HTTP). A write that finds the worker idle is applied at
        once."""
        wait = wake or (lambda seconds: stop.wait(seconds) and False)
        while not stop.is_set():
            began, applied = time.monotonic(), 0
            try:
                applied = self.catch_up()
            except unavailable_errors() as problem:
                # The page's transaction rolled back with it: keep trying, and carry on from
                # the stored position when the store is back, with nobody restarting us.
                log.warning(
                    "store unavailable (%s); retrying in %ss", type(problem).__name__, poll_seconds
                )
            if applied and wait(0):
                stop.wait(max(0.0, began + gather_seconds - time.monotonic()))
                wait(0)  # what was announced meanwhile is in the page about to be read
            else:
                wait(poll_seconds)


class ReadAhead:
    """Pages of the log, decoded: the next one is read in a second thread while this one is written.

    Selecting and decoding a page is a quarter of a catch-up's Python work, and whatever `prepare`
    works out from each event alone adds to it; done while the database writes the page before,
    most of it is hidden (without this thread a region catch-up takes about a tenth longer). A
    page read ahead is only used if it starts where the views' locked position says the next page
    starts, so it can never be applied twice.
    """

    def __init__(
        self, app: Any, page_size: int, prepare: Callable[[Any, int], Any] = lambda event, _: event
    ):
        self.app = app
        self.page_size = page_size
        self.prepare = prepare
        self._reader: ThreadPoolExecutor | None = None
        self._ahead: tuple[int, int | None, Future] | None = None
        # Events read past a page's last moment: the start of the next page (see `_read`).
        self._surplus: tuple[int, int | None, list, list] | None = None

    def __enter__(self) -> "ReadAhead":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._reader is not None:
            self._reader.shutdown(wait=True, cancel_futures=True)

    def starting_at(self, start: int, stop: int | None) -> list[tuple[int, Any]]:
        """The page of (notification id, prepared event) from `start`; and the one after it,
        begun."""
        ahead, self._ahead = self._ahead, None
        if ahead and ahead[:2] == (start, stop):
            events = ahead[2].result()
        else:
            if ahead:  # not the page wanted: let its read end, so reads never overlap
                futures.wait([ahead[2]])
            events = self._read(start, stop)
        if (
            len(events) >= self.page_size
        ):  # a short page was the end of the log: nothing to read ahead
            self._read_later(events[-1][0] + 1, stop)
        return events

    def _read_later(self, start: int, stop: int | None) -> None:
        if self._reader is None:
            self._reader = ThreadPoolExecutor(1, thread_name_prefix="log-read-ahead")
        self._ahead = (start, stop, self._reader.submit(self._read, start, stop))

    def _read(self, start: int, stop: int | None) -> list[tuple[int, Any]]:
        """A page from `start`: a page's worth of events, run on to the end of its last moment.
        Events read past that end begin the next page, not read again: reading them again from
        the moment's end decoded 990,576 events for the region's 578,047 (moments longer than a
        page, a school's roll enrolled at once, are read on in pages; docs/performance.md)."""
        notifications, events = self._take_surplus(start, stop)
        if len(events) < self.page_size:
            after = notifications[-1].id + 1 if notifications else start
            more, decoded = self._select(after, self.page_size - len(events), stop)
            notifications, events = notifications + more, events + decoded
        if len(events) >= self.page_size:
            self._to_moments_end(notifications, events, stop)
        prepare = self.prepare
        return [
            (notification.id, prepare(event, notification.id))
            for notification, event in zip(notifications, events, strict=True)
        ]

    def _take_surplus(self, start: int, stop: int | None) -> tuple[list, list]:
        surplus, self._surplus = self._surplus, None
        if surplus is None or surplus[:2] != (start, stop):
            return [], []
        return surplus[2], surplus[3]

    def _select(self, start: int, limit: int, stop: int | None) -> tuple[list, list]:
        notifications = self.app.recorder.select_notifications(start=start, limit=limit, stop=stop)
        # The views hold no identity (projections/tables.py): no pupil's key is read to build them.
        return notifications, self.app.mapper.to_domain_events(notifications, identities=False)

    def _to_moments_end(self, notifications: list, events: list, stop: int | None) -> None:
        """A full page runs on to the end of its last moment (a command's events, which share one
        time: tracker/domain/base.py), so a page is always whole moments and a pupil's versions do
        not depend on where pages end (docs/time.md, "Moments"). One more event is read to see;
        a command larger than a page (a school's roll enrolled at once) is read in pages. What is
        read past the moment's end is kept for the page that begins there."""
        # Most pages end between moments: one event read shows it.
        moment, limit = events[-1].timestamp, 1
        while True:
            more, decoded = self._select(notifications[-1].id + 1, limit, stop)
            same = next((i for i, e in enumerate(decoded) if e.timestamp != moment), len(decoded))
            notifications += more[:same]
            events += decoded[:same]
            if same < len(decoded):
                self._surplus = (notifications[-1].id + 1, stop, more[same:], decoded[same:])
                return
            if len(decoded) < limit:
                return
            limit = self.page_size


class ViewsAheadOfLog(Exception):
    """The views say they have applied events the log does not hold: they belong to another
    store."""


class ViewsOutOfDate(Exception):
    """The views were made with other columns than this version's: writing into them would fail or
    mislead."""


def _check_schema(store: ViewStore, cursor: Any) -> None:
    rows = store.execute(cursor, "SELECT position FROM {tracking} WHERE name = 'schema'").fetchall()
    if not rows or rows[0][0] != SCHEMA:
        raise ViewsOutOfDate(
            "the views were built by another version of the tracker, with other columns: "
            "run `tracker rebuild`"
        )


def _check_not_ahead(app: Any, position: int) -> None:
    # Without this, views left from a deleted event store would take the new log's events as
    # already applied, then apply later ones on top of the old rows: wrong figures, silently.
    head = app.recorder.max_notification_id() or 0
    if position > head:
        raise ViewsAheadOfLog(
            f"the views are at position {position} but the event log ends at {head}: "
            "they were built from another store; run `tracker rebuild`"
        )


def _locked_position(store: ViewStore, cursor: Any) -> int:
    rows = store.execute(
        cursor,
        "SELECT position FROM {tracking} WHERE name = ?" + store.lock_clause,
        (TRACKING_NAME,),
    ).fetchall()
    return rows[0][0] if rows else 0


def _write_position(store: ViewStore, cursor: Any, position: int) -> None:
    store.execute(
        cursor,
        "INSERT INTO {tracking} VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
        (TRACKING_NAME, position),
    )
    if store.position_channel:
        store.execute(cursor, f"NOTIFY {store.position_channel}")


def wait_for_position(
    store: ViewStore, position: int, timeout: float, interval: float = 0.002
) -> bool:
    """Read-your-writes: poll the tracking position every few milliseconds until it reaches
    `position`."""
    deadline = time.monotonic() + timeout
    while store.position(TRACKING_NAME) < position:
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True
