"""Failed sign-ins, counted per client address: after too many in a minute, that address's wrong
tokens are answered 429 until the oldest failure ages out; its valid tokens still work.

Tokens are 256-bit random values, so guessing one is hopeless anyway; the limit tells a
misbehaving script to back off, and while an address waits its failures are not recorded, so
the table stays small. A valid token is checked first and never refused: ten wrong tokens from
one address (behind a proxy, from anyone) must not lock out everyone else there. The failures
are kept in a table beside the views, not in a process's memory, so the limit is the same
whichever gunicorn worker (or host) a request reaches.
"""

from __future__ import annotations

import math
import time
from typing import Callable

from projections.store import ViewStore

WINDOW_SECONDS = 60.0


class FailedSignIns:
    def __init__(self, store: Callable[[], ViewStore], limit: int, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.time):
        # Wall-clock time, since other processes' failures are compared with ours.
        self.store, self.limit, self.window, self.clock = store, limit, window, clock

    def retry_after(self, address: str) -> int | None:
        """Seconds this address must wait before trying again, or None if it may try now."""
        now = self.clock()
        (count, oldest), = self.store().query(
            "SELECT COUNT(*), MIN(failed_at) FROM {sign_in_failures} WHERE address = ? AND failed_at > ?",
            (address, now - self.window))
        if count < self.limit:
            return None
        return max(1, math.ceil(oldest + self.window - now))

    def failed(self, address: str) -> None:
        """Count a failure; failures older than the window go, so the table stays small whoever knocks."""
        now, store = self.clock(), self.store()
        with store.transaction() as cursor:
            store.execute(cursor, "DELETE FROM {sign_in_failures} WHERE failed_at <= ?", (now - self.window,))
            store.execute(cursor, "INSERT INTO {sign_in_failures} VALUES (?, ?)", (address, now))
