"""Records of things the system itself keeps: idempotency keys and access tokens."""

from __future__ import annotations

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

    @staticmethod
    def create_id(token_hash: str) -> UUID:
        return stable_id("token", token_hash)

    @event("Issued")
    def __init__(self, token_hash: str, scope: str, subject: str, note: str) -> None:
        self.token_hash = token_hash
        self.scope = scope
        self.subject = subject
        self.note = note
        self.revoked = False

    @event("Revoked")
    def revoke(self, reason: str) -> None:
        self.revoked = True

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "scope": self.scope, "subject": self.subject,
                "note": self.note, "revoked": self.revoked}
