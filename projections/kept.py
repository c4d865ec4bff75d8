"""Answers kept per view store until its position moves: what the views hold is a function of the
events they have applied, so an answer computed at a position is exactly what a fresh one would be
until any event is applied. For reads too dear to count afresh each time (a hub's employer figures,
docs/performance.md); after any write the next read counts again. An answer read as known at a past
position is kept apart and never goes stale: what the views said at a position never changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable
from weakref import WeakKeyDictionary

from projections.store import ViewStore


class KeptUntilWritten:
    """At most `most` answers per store, all at its latest position (older ones are dropped), and
    at most `most` as known at past positions (the least recently asked goes first)."""

    def __init__(self, most: int = 64):
        self.most = most
        self._kept: WeakKeyDictionary[ViewStore, dict[tuple, Any]] = WeakKeyDictionary()
        self._known: WeakKeyDictionary[ViewStore, OrderedDict[tuple, Any]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, store: ViewStore, key: Hashable, compute: Callable[[], Any]) -> Any:
        if store.known_position is not None:
            return self._as_known(store, key, compute)
        # Read before computing: an answer that saw later writes is kept under the earlier
        # position, which no later reader asks for again.
        asked = (store.position(), key)
        with self._lock:
            kept = self._kept.setdefault(store, {})
            if asked in kept:
                return kept[asked]
        answer = compute()
        with self._lock:
            for older in [k for k in kept if k[0] != asked[0]]:
                del kept[older]
            if len(kept) >= self.most:
                kept.clear()
            kept[asked] = answer
        return answer

    def _as_known(self, store: ViewStore, key: Hashable, compute: Callable[[], Any]) -> Any:
        """Kept under the views it reads (each read as known at makes a store of its own), by the
        position it reads at: an auditor's page, its download and its reloads count once."""
        asked = (store.known_position, key)
        with self._lock:
            kept = self._known.setdefault(store.origin, OrderedDict())
            if asked in kept:
                kept.move_to_end(asked)
                return kept[asked]
        answer = compute()
        with self._lock:
            kept[asked] = answer
            if len(kept) > self.most:
                kept.popitem(last=False)
        return answer
