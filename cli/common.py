"""What every command shares: the application and the views over the store the environment
names (`DATABASE_URL`, `VIEWS_DATABASE_URL`), and the caller a command acts as."""

from __future__ import annotations

import os

from tracker.config import database_url


def open_app():
    from tracker.application import Tracker

    return Tracker.from_url(database_url(), os.environ.get("CIPHER_KEY"))


def open_views():
    from projections.store import view_store_for

    store = view_store_for(database_url(), os.environ.get("VIEWS_DATABASE_URL"))
    store.create_tables()
    return store


def caught_up_views(app, step=None):
    """The views, caught up with the application's log: what a command reads is all there.
    `step` (cli/progress.py) is told the events applied, of those the views were behind by."""
    from projections.runner import Runner

    store = open_views()
    behind = (app.recorder.max_notification_id() or 0) - store.position()
    told = None if step is None else lambda applied: step("events", applied, behind)
    Runner(app, store).catch_up(progress=told)
    return store


def cli_caller():
    from tracker.domain.base import Caller

    return Caller(f"cli:{os.environ.get('USER', 'unknown')}")
