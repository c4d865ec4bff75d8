"""Use cases for people's accounts: invitations, grants, disabling; and who may grant what.

Who may give a grant (docs/people.md): an admin gives any; a Hub Lead gives `school:<URN>` for
schools that are members of their hub today; a Careers Leader gives their own school's grant to
colleagues. Withdrawing follows the same rule. `granted_by` is the acting person's grants; None
is the server's own command line, which acts as an admin.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from tracker.commands import Changes, use_case
from tracker.domain.account import Account, normal_email
from tracker.domain.school import School
from tracker.errors import AccountNotFound, GrantRefused, InvalidValue
from tracker.rules import check_scope_text
from tracker.scopes import Scope
from tracker.validation import check_text

MAX_EMAIL = 254  # RFC 5321's longest path


def check_email(email: object) -> str:
    text = check_text("email", email, max_length=MAX_EMAIL)
    local, at, domain = text.partition("@")
    if not (local and at and "." in domain) or any(c.isspace() for c in text):
        raise InvalidValue(f"{text!r} is not an email address", "email")
    return normal_email(text)


class Accounts:
    """Mixed into `Tracker`: these methods are its use cases."""

    @use_case(commutative=False)
    def invite_person(
        self, email: str, name: str, grant: str, granted_by: list[str] | None = None
    ) -> Changes:
        """A new account with its first grant; inviting someone who has an account gives them
        the grant instead."""
        email, grant = check_email(email), check_scope_text(grant)
        self.check_may_grant(granted_by, grant)
        if (account := self._account_if_any(email)) is not None:
            account.give_grant(grant)
        else:
            account = Account(email, check_text("name", name), grant)
        return Changes([account], str(account.id))

    @use_case(commutative=False)
    def join(self, email: str) -> Changes:
        """The person accepted their invitation (their password is kept apart, not here)."""
        account = self._account(email)
        account.join()
        return Changes([account], str(account.id))

    @use_case(commutative=False)
    def give_grant(self, email: str, grant: str, granted_by: list[str] | None = None) -> Changes:
        grant = check_scope_text(grant)
        self.check_may_grant(granted_by, grant)
        account = self._account(email)
        account.give_grant(grant)
        return Changes([account], str(account.id))

    @use_case(commutative=False)
    def withdraw_grant(
        self, email: str, grant: str, reason: str, granted_by: list[str] | None = None
    ) -> Changes:
        grant = check_scope_text(grant)
        self.check_may_grant(granted_by, grant)
        account = self._account(email)
        account.withdraw_grant(grant, check_text("reason", reason))
        return Changes([account], str(account.id))

    @use_case(commutative=False)
    def disable_account(
        self, email: str, reason: str, granted_by: list[str] | None = None
    ) -> Changes:
        self.check_may_grant(granted_by, "admin")
        account = self._account(email)
        account.disable(check_text("reason", reason))
        return Changes([account], str(account.id))

    @use_case(commutative=False)
    def reenable_account(self, email: str, granted_by: list[str] | None = None) -> Changes:
        self.check_may_grant(granted_by, "admin")
        account = self._account(email)
        account.reenable()
        return Changes([account], str(account.id))

    @use_case(commutative=False)
    def require_second_factor(
        self, email: str, reason: str, granted_by: list[str] | None = None
    ) -> Changes:
        """From their next sign-in the person sets up and gives a second factor. An admin
        requires it of anyone; others of a person holding a grant they could give."""
        account = self._account(email)
        self._check_may_require(granted_by, account)
        account.require_second_factor(check_text("reason", reason))
        return Changes([account], str(account.id))

    @use_case(commutative=False)
    def stop_requiring_second_factor(
        self, email: str, granted_by: list[str] | None = None
    ) -> Changes:
        """Only an admin lifts it: a Hub Lead's requirement is not undone by a Careers Leader."""
        self.check_may_grant(granted_by, "admin")
        account = self._account(email)
        account.stop_requiring_second_factor()
        return Changes([account], str(account.id))

    def _check_may_require(self, granted_by: list[str] | None, account: Account) -> None:
        refusals = []
        for grant in account.grants or ["admin"]:
            try:
                return self.check_may_grant(granted_by, grant)
            except GrantRefused as refused:
                refusals.append(refused)
        raise refusals[0]

    def account_of(self, email: str) -> Account | None:
        """The account for this address (any case), or None."""
        return self._account_if_any(normal_email(email))

    def account_by_id(self, account_id: UUID | str) -> Account | None:
        try:
            found = self._get_if_any(UUID(str(account_id)))
        except ValueError:
            return None
        return found if isinstance(found, Account) else None

    def _get_if_any(self, aggregate_id: UUID):
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    # --- who may grant what ----------------------------------------------------------

    def check_may_grant(self, granted_by: list[str] | None, grant: str) -> None:
        if granted_by is None or "admin" in granted_by:
            return
        wanted = Scope.parse(grant)
        if wanted.school is None:
            raise GrantRefused(grant, "only an admin gives hub, auditor and admin grants")
        if f"school:{wanted.school}" in granted_by:
            return
        hubs = [Scope.parse(held).hub for held in granted_by if Scope.parse(held).hub]
        if self.hub_of_school_now(wanted.school) in hubs:
            return
        raise GrantRefused(grant, "that school is neither yours nor a member of your hub")

    def hub_of_school_now(self, urn: str) -> str | None:
        """The hub a school is a member of today, if any (None for an unknown school)."""
        school = self._get_if_any(School.create_id(urn))
        span = school.current_span if isinstance(school, School) else None
        return span.hub_code if span else None

    def _account_if_any(self, email: str) -> Account | None:
        return self.account_by_id(Account.create_id(email))

    def _account(self, email: str) -> Account:
        return self._load(Account, Account.create_id(email), AccountNotFound(normal_email(email)))
