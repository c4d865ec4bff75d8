"""The process's one Tracker application, its view store and reads, built on first use."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from flask import current_app

from projections.queries import Reads
from projections.runner import Runner
from projections.store import ViewStore, view_store_for
from tracker.application import Tracker


class Services:
    """Built lazily so importing `wsgi` (or forking gunicorn workers) connects to nothing."""

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self._lock = threading.Lock()
        self._built: dict[str, Any] | None = None

    def _build(self) -> dict[str, Any]:
        with self._lock:
            if self._built is None:
                today = self.config.get("TODAY") or date.today
                app = Tracker.from_url(
                    self.config["DATABASE_URL"], self.config.get("CIPHER_KEY"), today=today
                )
                store = view_store_for(
                    self.config["DATABASE_URL"], self.config.get("VIEWS_DATABASE_URL")
                )
                store.create_tables()
                self._built = {
                    "tracker": app,
                    "store": store,
                    "reads": Reads(app, store, today=today),
                    "runner": Runner(app, store),
                }
            return self._built

    @property
    def tracker(self) -> Tracker:
        return self._build()["tracker"]

    @property
    def store(self) -> ViewStore:
        return self._build()["store"]

    @property
    def reads(self) -> Reads:
        return self._build()["reads"]

    def catch_up_inline(self) -> None:
        """In the embedded mode the API process is its own projection worker."""
        if self.config["PROJECTIONS"] == "inline":
            self._build()["runner"].catch_up()


def services() -> Services:
    return current_app.extensions["tracker"]
