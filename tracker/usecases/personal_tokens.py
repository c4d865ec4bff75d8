"""A person's own API tokens: limited to one of their grants (or all of them), always expiring.

A personal token is an `AccessToken` whose subject is the person's account id, so what it does
is recorded as done by that person. Its scope is the grant it is limited to, or `grants` for
whatever the person holds at the time of each request. The grant and the account are read
afresh at every request (api/auth.py), so withdrawing the grant or disabling the account stops
the token at once. docs/people.md.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from tracker.commands import Written
from tracker.domain.access import AccessToken
from tracker.domain.base import Caller
from tracker.errors import AccountNotFound, Forbidden, InvalidValue, TokenNotFound
from tracker.rules import check_scope_text
from tracker.usecases.access import hash_token

ALL_GRANTS = "grants"  # a personal token's scope that follows every grant the person holds
MAX_DAYS = 366


class PersonalTokens:
    """Mixed into `Tracker`: these methods are its use cases."""

    def issue_personal_token(
        self, account_id: str, grant: str, expires_on: date, note: str = ""
    ) -> tuple[str, Written]:
        """A token for the person's own use: returned once, stored only as its hash."""
        account = self.account_by_id(account_id)
        if account is None or not account.is_active:
            raise AccountNotFound(str(account_id))
        grant = self._check_own_grant(account, grant)
        self._check_personal_expiry(expires_on)
        token = secrets.token_urlsafe(32)
        subject, caller = str(account.id), Caller(str(account.id))
        written = self._issue(
            hash_token(token), grant, subject, note or "", expires_on, caller=caller
        )
        return token, written

    def revoke_personal_token(self, account_id: str, token_id: str) -> None:
        """Only the person the token belongs to revokes it here."""
        found = self._get_if_any_token(token_id)
        if found is None or found.subject != str(account_id):
            raise TokenNotFound(token_id)
        self.revoke_token(token_id, "revoked by its owner", caller=Caller(str(account_id)))

    @staticmethod
    def _check_own_grant(account: Any, grant: str) -> str:
        if grant == ALL_GRANTS:
            return grant
        grant = check_scope_text(grant)
        if grant not in account.grants:
            raise Forbidden(f"a personal token for {grant}")
        return grant

    def _check_personal_expiry(self, expires_on: date | None) -> None:
        latest = self.today() + timedelta(days=MAX_DAYS)
        if not isinstance(expires_on, date) or not self.today() < expires_on <= latest:
            raise InvalidValue(f"a personal token expires after today and by {latest}", "expires")

    def _get_if_any_token(self, token_id: str) -> AccessToken | None:
        try:
            found = self._get_if_any(UUID(str(token_id)))
        except ValueError:
            return None
        return found if isinstance(found, AccessToken) else None
