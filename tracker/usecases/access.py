"""Use cases for access tokens: issued once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from tracker.commands import Changes, Written, use_case
from tracker.domain.access import AccessToken
from tracker.domain.base import Caller
from tracker.errors import InvalidValue, TokenNotFound
from tracker.identifiers import is_digits
from tracker.rules import check_scope_text, parse_uuid
from tracker.validation import check_text


def hash_token(token: str) -> str:
    """Tokens are long random strings, so one SHA-256 is enough to keep them unreadable at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


class AccessTokens:
    """Mixed into `Tracker`: these methods are its use cases."""

    def issue_token(
        self,
        scope: str,
        subject: str,
        note: str = "",
        *,
        expires_on: date | None = None,
        caller: Caller | None = None,
    ) -> tuple[str, Written]:
        """A new bearer token for `scope`: returned once, stored only as its hash; from `expires_on`
        (if given) it no longer works."""
        if expires_on is not None and expires_on <= self.today():
            raise InvalidValue(
                f"expires must be after today ({self.today()}); got {expires_on}", "expires"
            )
        token = secrets.token_urlsafe(32)
        written = self._issue(
            hash_token(token),
            check_scope_text(scope),
            check_text("subject", subject),
            note or "",
            expires_on,
            caller=caller,
        )
        return token, written

    @use_case(commutative=False)
    def _issue(
        self, token_hash: str, scope: str, subject: str, note: str, expires_on: date | None
    ) -> Changes:
        access = AccessToken(token_hash, scope, subject, note, expires_on)
        return Changes([access], str(access.id))

    @use_case(commutative=False)
    def revoke_token(self, token_id: str, reason: str) -> Changes:
        access = self._load(
            AccessToken, parse_uuid(token_id, TokenNotFound), TokenNotFound(token_id)
        )
        if not access.revoked:
            access.revoke(check_text("reason", reason))
        return Changes([access], token_id)

    def token_by_id(self, token_id: str) -> AccessToken | None:
        """The live token record with this id (a dashboard session keeps the id, never the
        token)."""
        try:
            access: AccessToken = self.repository.get(UUID(token_id))
        except (ValueError, AggregateNotFoundError):
            return None
        return access if isinstance(access, AccessToken) and access.works_on(self.today()) else None

    def token_for(self, token: str) -> AccessToken | None:
        """The live (neither revoked nor expired) token record a bearer token matches, if any."""
        try:
            access: AccessToken = self.repository.get(AccessToken.create_id(hash_token(token)))
        except AggregateNotFoundError:
            return None
        return access if access.works_on(self.today()) else None


def expiry_date(text: str, today: date) -> date:
    """`--expires`: a date (the first day the token no longer works) or a number of days, as
    `90d`."""
    text = text.strip()
    if is_digits(text[:-1]) and text.endswith("d") and len(text) <= 6:
        return today + timedelta(days=int(text[:-1]))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(
            f"expires must be a date like 2027-01-31 or a number of days like 90d; got {text!r}",
            "expires",
        ) from None
