"""Failed sign-ins, counted per client address: after too many in a minute, that address waits.

Tokens are 256-bit random values, so guessing one is hopeless anyway; the limit keeps a
misbehaving script from filling the logs and the database with lookups. It is kept in each
process's memory: with N gunicorn workers an address gets at most N times the limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from typing import Callable

WINDOW_SECONDS = 60.0
MAX_ADDRESSES = 10_000  # memory stays bounded whoever is knocking


class FailedSignIns:
    def __init__(self, limit: int, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int | None:
        """Seconds this address must wait before trying again, or None if it may try now."""
        with self._lock:
            recent = self._recent(address)
            if len(recent) < self.limit:
                return None
            return max(1, math.ceil(recent[0] + self.window - self.clock()))

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(self.clock())
            self._failures.move_to_end(address)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)

    def _recent(self, address: str) -> deque[float]:
        failures = self._failures.setdefault(address, deque())
        while failures and failures[0] <= self.clock() - self.window:
            failures.popleft()
        return failures
