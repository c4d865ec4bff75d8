"""Dashboard sign-ins kept on the server, so that signing out ends one.

The session cookie is signed, not secret: alone, a copy of it would work for as long as the
key does. It carries a random id instead, whose row (kept, as the sign-in failures are, in a
table beside the views, so every API process sees it) names the token signed in with; signing
out deletes the row, and a row older than the session lifetime no longer counts. Only a hash
of the id is stored, as with tokens.
"""

from __future__ import annotations

import secrets
import time
from typing import Callable

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from projections.store import ViewStore
from tracker.usecases.access import hash_token


class Sessions:
    def __init__(
        self,
        store: Callable[[], ViewStore],
        lifetime: float,
        clock: Callable[[], float] = time.time,
    ):
        # Wall-clock time, since other processes' sessions are compared with ours.
        self.store, self.lifetime, self.clock = store, lifetime, clock

    def start(self, token_id: str) -> str:
        """A new session for the token; sessions past their lifetime go, so the table stays
        small."""
        session_id, now, store = secrets.token_urlsafe(32), self.clock(), self.store()
        with store.transaction() as cursor:
            store.execute(
                cursor, "DELETE FROM {sessions} WHERE started_at <= ?", (now - self.lifetime,)
            )
            store.execute(
                cursor,
                "INSERT INTO {sessions} VALUES (?, ?, ?)",
                (hash_token(session_id), token_id, now),
            )
        return session_id

    def token_id(self, session_id: str) -> str | None:
        """The token a live session was started with, or None (unknown, ended or too old)."""
        if not session_id:
            return None
        rows = self.store().query(
            "SELECT token_id FROM {sessions} WHERE id = ? AND started_at > ?",
            (hash_token(session_id), self.clock() - self.lifetime),
        )
        return rows[0][0] if rows else None

    def end(self, session_id: str) -> None:
        if session_id:
            store = self.store()
            with store.transaction() as cursor:
                store.execute(
                    cursor, "DELETE FROM {sessions} WHERE id = ?", (hash_token(session_id),)
                )


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over HTTPS (or always, if
    configured)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def register(app: Flask, store: Callable[[], ViewStore]) -> None:
    app.session_interface = CookieSessions()
    app.extensions["sessions"] = Sessions(store, app.config["SESSION_LIFETIME_SECONDS"])
