"""People's dashboard sessions, kept with their credentials (tracker/ports.py), by a hash of a
random id the signed cookie carries: idle and absolute timeouts, a list, and signing out of one
or all. Each request reads the account afresh, so disabling it or withdrawing a grant counts on
the very next request.
"""

from __future__ import annotations

import secrets
import time
from typing import Callable

from flask import current_app, request, session

from api.grants import PersonAccess
from api.services import services
from tracker.passwords import hash_secret
from tracker.ports import Credentials, PersonSession

COOKIE_KEY = "person_session"
TOUCH_EVERY_SECONDS = 60.0  # a page view notes its time at most once a minute: fewer writes


class PersonSessions:
    def __init__(
        self,
        credentials: Callable[[], Credentials],
        idle: float,
        absolute: float,
        clock: Callable[[], float] = time.time,
    ):
        self.credentials, self.idle, self.absolute, self.clock = credentials, idle, absolute, clock

    def start(self, account_id: str, label: str) -> str:
        session_id, now = secrets.token_urlsafe(32), self.clock()
        record = PersonSession(hash_secret(session_id), account_id, now, now, label[:200])
        self.credentials().start_session(record)
        return session_id

    def account_id(self, session_id: str) -> str | None:
        """The account of a live session, noting its use; a timed-out session ends."""
        found = self.credentials().session(hash_secret(session_id)) if session_id else None
        if found is None:
            return None
        now = self.clock()
        if now - found.seen_at >= self.idle or now - found.started_at >= self.absolute:
            self.credentials().end_sessions(found.account_id, found.id_hash)
            return None
        if now - found.seen_at >= TOUCH_EVERY_SECONDS:
            self.credentials().touch_session(found.id_hash, now)
        return found.account_id

    def live(self, account_id: str) -> list[PersonSession]:
        now = self.clock()
        return [
            s
            for s in self.credentials().sessions_of(account_id)
            if now - s.seen_at < self.idle and now - s.started_at < self.absolute
        ]

    def end(self, account_id: str, id_hash: str | None = None) -> None:
        """End one session (by its id's hash), or all of the account's."""
        self.credentials().end_sessions(account_id, id_hash)


def person_sessions() -> PersonSessions:
    return current_app.extensions["person_sessions"]


def register(app) -> None:
    config = app.config
    app.extensions["person_sessions"] = PersonSessions(
        lambda: services().tracker.credentials,
        config["SESSION_IDLE_SECONDS"],
        config["SESSION_LIFETIME_SECONDS"],
    )


def current_person() -> PersonAccess | None:
    """The signed-in person with their grants now, or None (no session, timed out, or the
    account disabled)."""
    account_id = person_sessions().account_id(session.get(COOKIE_KEY, ""))
    account = services().tracker.account_by_id(account_id) if account_id else None
    if account is None or not account.is_active:
        session.pop(COOKIE_KEY, None)
        return None
    return PersonAccess.of(account)


def start_person_session(account_id: str) -> None:
    """A new session for a person who has proved who they are: a new cookie and CSRF token."""
    end_person_session()
    session.clear()
    label = f"{request.user_agent.string[:120] or 'unknown browser'} from {request.remote_addr}"
    session[COOKIE_KEY] = person_sessions().start(account_id, label)


def end_person_session() -> None:
    session_id = session.pop(COOKIE_KEY, "")
    if session_id:
        found = person_sessions().credentials().session(hash_secret(session_id))
        if found is not None:
            person_sessions().end(found.account_id, found.id_hash)


def current_session_hash() -> str:
    return hash_secret(session.get(COOKIE_KEY, ""))
