"""Records of things the system itself keeps: idempotency keys and access tokens."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TrackerAggregate, stable_id


class IdempotencyKey(TrackerAggregate):
    """A client's key for one command, saved in the same transaction as the command."""

    @staticmethod
    def create_id(owner: str, key: str) -> UUID:
        return stable_id("idempotency", f"{owner}\n{key}")

    @event("Used")
    def __init__(self, owner: str, key: str, fingerprint: str, result_id: str | None) -> None:
        self.fingerprint = fingerprint
        self.result_id = result_id


class AccessToken(TrackerAggregate):
    """A bearer token's scope and life; only the token's hash is ever stored."""

    class Issued(TrackerAggregate.Created):
        token_hash: str
        scope: str
        subject: str
        note: str
        expires_on: date | None  # the first day it no longer works; None: until revoked
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Tokens issued before tokens could expire never do."""
            state["expires_on"] = None

    @staticmethod
    def create_id(token_hash: str) -> UUID:
        return stable_id("token", token_hash)

    @event(Issued)
    def __init__(
        self, token_hash: str, scope: str, subject: str, note: str, expires_on: date | None = None
    ) -> None:
        self.token_hash = token_hash
        self.scope = scope
        self.subject = subject
        self.note = note
        self.expires_on = expires_on
        self.revoked = False

    @event("Revoked")
    def revoke(self, reason: str) -> None:
        self.revoked = True

    def works_on(self, day: date) -> bool:
        """Neither revoked nor expired on `day`."""
        return not self.revoked and (self.expires_on is None or day < self.expires_on)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "scope": self.scope,
            "subject": self.subject,
            "note": self.note,
            "revoked": self.revoked,
            "expires_on": self.expires_on,
        }
