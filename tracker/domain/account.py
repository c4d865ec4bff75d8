"""A person who signs in: their email, name, grants and whether they may sign in at all.

No credential is ever held here: passwords, second-factor secrets and link secrets live in a
table of their own (tracker/ports.py: Credentials), so the permanent log never holds a secret.
Who did each thing is the actor every event carries (tracker/domain/base.py).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TrackerAggregate, stable_id
from tracker.errors import RuleBroken


def normal_email(email: str) -> str:
    """One account per address, whatever its case: the id is derived from this."""
    return email.strip().lower()


class Account(TrackerAggregate):
    """Invited with a first grant; joins by setting a password; grants come and go."""

    @staticmethod
    def create_id(email: str) -> UUID:
        return stable_id("account", normal_email(email))

    @event("Invited")
    def __init__(self, email: str, name: str, grant: str) -> None:
        self.email = normal_email(email)
        self.name = name
        self.grants: list[str] = [grant]
        self.joined = False
        self.disabled = False
        self.second_factor_required = False  # beyond what admin and auditor grants require

    def check_may_sign_in(self) -> None:
        if not self.joined:
            raise RuleBroken("this account has not been joined yet", "email")
        if self.disabled:
            raise RuleBroken("this account is disabled", "email")

    def join(self) -> None:
        """The person accepted the invitation; joining twice is refused."""
        if self.joined:
            raise RuleBroken("this invitation has already been accepted", "email")
        self._joined()

    @event("Joined")
    def _joined(self) -> None:
        self.joined = True

    def give_grant(self, scope: str) -> bool:
        """Add a grant; False (nothing recorded) if the person already holds it."""
        if scope in self.grants:
            return False
        self._grant_given(scope)
        return True

    @event("GrantGiven")
    def _grant_given(self, scope: str) -> None:
        self.grants.append(scope)

    def withdraw_grant(self, scope: str, reason: str) -> None:
        if scope not in self.grants:
            raise RuleBroken(f"this account holds no {scope} grant", "scope")
        self._grant_withdrawn(scope, reason)

    @event("GrantWithdrawn")
    def _grant_withdrawn(self, scope: str, reason: str) -> None:
        self.grants.remove(scope)

    def disable(self, reason: str) -> None:
        if self.disabled:
            raise RuleBroken("this account is already disabled", "email")
        self._disabled(reason)

    @event("Disabled")
    def _disabled(self, reason: str) -> None:
        self.disabled = True

    def reenable(self) -> None:
        if not self.disabled:
            raise RuleBroken("this account is not disabled", "email")
        self._reenabled()

    @event("Reenabled")
    def _reenabled(self) -> None:
        self.disabled = False

    def require_second_factor(self, reason: str) -> bool:
        """From the next sign-in the person must give a code; False (nothing recorded) if it
        is required already."""
        if self.second_factor_required:
            return False
        self._second_factor_required(reason)
        return True

    @event("SecondFactorRequired")
    def _second_factor_required(self, reason: str) -> None:
        self.second_factor_required = True

    def stop_requiring_second_factor(self) -> None:
        if not self.second_factor_required:
            raise RuleBroken("a second factor is not required of this account", "email")
        self._second_factor_no_longer_required()

    @event("SecondFactorNoLongerRequired")
    def _second_factor_no_longer_required(self) -> None:
        self.second_factor_required = False

    @property
    def is_active(self) -> bool:
        """Joined, not disabled: the grants may be used."""
        return self.joined and not self.disabled
