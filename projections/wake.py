"""Waking the runner: PostgreSQL's NOTIFY when there is one, a plain timeout always."""

from __future__ import annotations

import logging
import time
from typing import Callable

log = logging.getLogger(__name__)


def postgres_waker(url: str, channel: str) -> Callable[[float], bool]:
    """A wait that returns when the event store announces new events (True), or after `seconds` at
    most (False).

    `channel` is the recorder's `channel_name`: the library notifies on it with every insert.

    The notification only shortens the wait: the runner reads the log either way, so a
    lost notification (or a dropped listening connection) costs at most one poll interval.
    """
    import psycopg
    from psycopg import sql

    state = {"connection": None}

    def listen():
        connection = psycopg.connect(url, autocommit=True)
        connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        return connection

    try:  # listen before the first catch-up, so nothing committed after it goes unannounced
        state["connection"] = listen()
    except psycopg.OperationalError as problem:
        log.warning("cannot listen for new events (%s); polling instead", problem)

    def wait(seconds: float) -> bool:
        try:
            state["connection"] = state["connection"] or listen()
            connection = state["connection"]
            if not _notified(connection, seconds):
                return False
            # One catch-up answers every insert announced so far, not one catch-up each
            # (bounded, so a stream of inserts cannot keep us draining instead of applying).
            for _ in range(1000):
                if not _notified(connection, 0):
                    break
            return True
        except psycopg.OperationalError as problem:
            log.warning("listening for new events failed (%s); polling instead", problem)
            state["connection"] = None
            time.sleep(seconds)  # the store may be away: do not spin on reconnecting
            return False

    def close() -> None:
        """Stop listening: the connection goes back to the server (a later wait listens again)."""
        connection, state["connection"] = state["connection"], None
        if connection is not None:
            connection.close()

    wait.close = close  # type: ignore[attr-defined]
    return wait


def _notified(connection, seconds: float) -> bool:
    """Whether a notification came within `seconds`; the generator is closed at once, since it holds
    the connection's lock while it is open."""
    notifies = connection.notifies(timeout=seconds, stop_after=1)
    try:
        return next(notifies, None) is not None
    finally:
        notifies.close()
