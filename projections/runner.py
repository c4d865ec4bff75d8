"""The projection runner: a page of the log at a time, rows and tracking position in one transaction."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from projections.page import Known, Page
from projections.projection import CareersProjection
from projections.store import ViewStore
from tracker.stores import unavailable_errors

log = logging.getLogger(__name__)
PAGE_SIZE = 1000
TRACKING_NAME = "views"


class Runner:
    """Brings one view store up to the head of one application's notification log."""

    def __init__(self, app: Any, store: ViewStore, page_size: int = PAGE_SIZE):
        self.app = app
        self.store = store
        self.page_size = page_size
        self.projection = CareersProjection()
        self.known = Known()
        self._lock = threading.Lock()
        self._log_checked = False  # the views' position against the log, once: see _check_not_ahead

    def catch_up(self, until: int | None = None) -> int:
        """Apply pages until the log (or position `until`) is reached; returns events applied."""
        applied = 0
        with self._lock:
            while (count := self._apply_next_page(until)) > 0:
                applied += count
        return applied

    def _apply_next_page(self, until: int | None) -> int:
        # The position is read inside the transaction that writes it, so two runners
        # (or a runner and a rebuild) can never apply the same page twice.
        with self.store.transaction() as cursor:
            position = _locked_position(self.store, cursor)
            if not self._log_checked:  # once: the embedded API catches up on every request
                _check_not_ahead(self.app, position)
                self._log_checked = True
            if until is not None and position >= until:
                return 0
            notifications = self.app.recorder.select_notifications(
                start=position + 1, limit=self.page_size, stop=until)
            if not notifications:
                return 0
            self._apply(notifications, Page(self.store, cursor, self.known), notifications[-1].id)
            _write_position(self.store, cursor, notifications[-1].id)
        return len(notifications)

    def _apply(self, notifications: list, page: Page, position: int) -> None:
        to_event = self.app.mapper.to_domain_event
        for notification in notifications:
            self.projection.apply(to_event(notification), notification.id, page)
        self.projection.finish(page, position)

    def run_forever(self, stop: threading.Event, wake: Callable[[float], None] | None = None,
                    poll_seconds: float = 1.0) -> None:
        """Catch up, then wait for a wake-up (or the poll timeout, so a lost one never stalls us)."""
        wait = wake or (lambda seconds: stop.wait(seconds))
        while not stop.is_set():
            try:
                self.catch_up()
            except unavailable_errors() as problem:
                # The page's transaction rolled back with it: keep trying, and carry on from
                # the stored position when the store is back, with nobody restarting us.
                log.warning("store unavailable (%s); retrying in %ss", type(problem).__name__, poll_seconds)
            wait(poll_seconds)


class ViewsAheadOfLog(Exception):
    """The views say they have applied events the log does not hold: they belong to another store."""


def _check_not_ahead(app: Any, position: int) -> None:
    # Without this, views left from a deleted event store would take the new log's events as
    # already applied, then apply later ones on top of the old rows: wrong figures, silently.
    head = app.recorder.max_notification_id() or 0
    if position > head:
        raise ViewsAheadOfLog(f"the views are at position {position} but the event log ends at {head}: "
                              "they were built from another store; run `tracker rebuild`")


def _locked_position(store: ViewStore, cursor: Any) -> int:
    rows = store.execute(cursor, "SELECT position FROM {tracking} WHERE name = ?" + store.lock_clause,
                         (TRACKING_NAME,)).fetchall()
    return rows[0][0] if rows else 0


def _write_position(store: ViewStore, cursor: Any, position: int) -> None:
    store.execute(cursor, "INSERT INTO {tracking} VALUES (?, ?) "
                  "ON CONFLICT (name) DO UPDATE SET position = excluded.position", (TRACKING_NAME, position))


def wait_for_position(store: ViewStore, position: int, timeout: float, interval: float = 0.002) -> bool:
    """Read-your-writes: poll the tracking position every few milliseconds until it reaches `position`."""
    deadline = time.monotonic() + timeout
    while store.position(TRACKING_NAME) < position:
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True
