"""Read-your-writes for every request of a process at once: one thread reads the views' position,
however many requests wait for it, woken by the runner's announcement of each page it commits.

Each waiting request used to query the position itself every 2 ms: 500 queries a second for each
gunicorn thread held by a wait, on the cores the projection worker and PostgreSQL need. At 50
writes a second each read back at once (`python -m bench.read_your_writes`, load average 5-10)
the views committed a page every 213 ms (median), the read after a write waited 558 ms (p50) and
2.5 s (p99), and 8 in 1,000 gave up (503); on a machine that busy the worker's pages, not the
polling, set those figures (docs/performance.md, HTTP), so this saves CPU without promising less
waiting.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from adapters import unavailable_errors
from projections.store import ViewStore
from projections.wake import postgres_waker

log = logging.getLogger(__name__)
ANNOUNCED_INTERVAL = 0.05  # seconds: a lost announcement costs at most this
POLLED_INTERVAL = 0.002  # seconds, where the store announces nothing (SQLite, local and cheap)


IDLE_SECONDS = 30.0  # with nobody waiting this long, the watcher stops and lets its connection go


class PositionWatch:
    """Waits until the views reach a position; `read` gives the views' position; `listen()` gives
    a `wake(seconds)` that returns when the views may have moved (an announcement) or after
    `seconds` at most, and may have a `close()`."""

    def __init__(
        self,
        read: Callable[[], int],
        listen: Callable[[], Callable[[float], None]],
        interval: float,
    ):
        self._read, self._listen, self._interval = read, listen, interval
        self._known = 0
        self._waiting = 0
        self._moved = threading.Condition()
        self._thread: threading.Thread | None = None

    def wait_for(self, position: int, timeout: float) -> bool:
        """True once the views include `position`; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._moved:
            self._waiting += 1
            self._start()
            self._moved.notify_all()  # a watcher asleep with nobody waiting looks at once
            try:
                while self._known < position:
                    if (left := deadline - time.monotonic()) <= 0:
                        return False
                    self._moved.wait(left)
                return True
            finally:
                self._waiting -= 1

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="views-position", daemon=True)
            self._thread.start()

    def _watch(self) -> None:
        wake = self._listen()
        try:
            while True:
                self._look()
                with self._moved:
                    if not self._waiting:
                        if not self._moved.wait_for(lambda: self._waiting, IDLE_SECONDS):
                            self._thread = None  # the next wait starts another
                            return
                        continue  # a wait after a quiet spell: look at once
                wake(self._interval)
        finally:
            if close := getattr(wake, "close", None):
                close()

    def _look(self) -> None:
        try:
            position = self._read()
        except unavailable_errors() as problem:  # the store is away: the waits time out (503)
            log.warning("cannot read the views' position (%s)", type(problem).__name__)
            time.sleep(self._interval)
            return
        with self._moved:
            self._known = max(self._known, position)
            self._moved.notify_all()


def watch_for(store: ViewStore, tracking_name: str) -> PositionWatch:
    """Woken by the store's announcements where it makes them (PostgreSQL's NOTIFY), else polled."""
    read = lambda: store.position(tracking_name)  # noqa: E731
    if channel := store.position_channel:
        return PositionWatch(read, lambda: postgres_waker(store.url, channel), ANNOUNCED_INTERVAL)
    return PositionWatch(read, lambda: time.sleep, POLLED_INTERVAL)
