"""Failures counted in a window, in a table beside the views: failed sign-ins per client address,
refused enrolments of UPNs registered elsewhere per token. Past the limit, that key waits.

Tokens are 256-bit random values, so guessing one is hopeless anyway; the sign-in limit tells a
misbehaving script to back off, and while an address waits its failures are not recorded, so the
table stays small. A valid token is checked first and never refused: ten wrong tokens from one
address (behind a proxy, from anyone) must not lock out everyone else there. The enrolment limit
keeps a school from trying identities for another school's pupil (docs/transfers.md). The failures
are kept in a table beside the views, not in a process's memory, so each limit is the same
whichever gunicorn worker (or host) a request reaches.
"""

from __future__ import annotations

import math
import time
from typing import Callable

from projections.store import ViewStore

WINDOW_SECONDS = 60.0
HOUR = 3600.0


class RecentFailures:
    """One kind of failure, per address or token, over a sliding window."""

    # The table (in OPERATIONAL, projections/tables.py) and its columns: constants, never values.
    table: str
    column: str
    at: str

    def __init__(
        self,
        store: Callable[[], ViewStore],
        limit: int,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ):
        # Wall-clock time, since other processes' failures are compared with ours.
        self.store, self.limit, self.window, self.clock = store, limit, window, clock

    def retry_after(self, who: str) -> int | None:
        """Seconds this address (or token) must wait before trying again, or None if it may try
        now."""
        now = self.clock()
        ((count, oldest),) = self.store().query(
            f"SELECT COUNT(*), MIN({self.at}) FROM {{{self.table}}} "
            f"WHERE {self.column} = ? AND {self.at} > ?",
            (who, now - self.window),
        )
        if count < self.limit:
            return None
        return max(1, math.ceil(oldest + self.window - now))

    def failed(self, who: str) -> None:
        """Count a failure; failures older than the window go, so the table stays small whoever
        knocks."""
        now, store = self.clock(), self.store()
        with store.transaction() as cursor:
            store.execute(
                cursor, f"DELETE FROM {{{self.table}}} WHERE {self.at} <= ?", (now - self.window,)
            )
            store.execute(cursor, f"INSERT INTO {{{self.table}}} VALUES (?, ?)", (who, now))


class FailedSignIns(RecentFailures):
    table, column, at = "sign_in_failures", "address", "failed_at"


class RefusedTransfers(RecentFailures):
    """Refused enrolments of UPNs registered elsewhere, per token id (over an hour, as api.auth sets
    it)."""

    table, column, at = "refused_transfers", "token_id", "refused_at"
