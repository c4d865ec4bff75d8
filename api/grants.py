"""A person's access: several grants, each exactly a token's scope (docs/people.md).

The policy (api/policy.py) answers for one scope. A person's page asks about one object (a
school, a hub, a pupil), so their access is narrowed, per request, to the grant that answers for
that object; the policy then asks it what it asks a token. Narrowing picks the grant that may do
most with the object, so "any grant allows" and "the chosen grant allows" agree; and since a hub
grant is never chosen for a pupil, a Hub Lead who is also a Careers Leader sees the identities
of their own schools' pupils only.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.policy import OVERSEERS, Access, Facts
from tracker.scopes import Scope


@dataclass(frozen=True)
class PersonAccess:
    """A signed-in person: their account id (the actor of what they do) and their grants now."""

    account_id: str
    grants: tuple[Scope, ...]

    @classmethod
    def of(cls, account) -> PersonAccess:
        """From a live account (tracker.domain.account.Account)."""
        return cls(str(account.id), tuple(Scope.parse(grant) for grant in account.grants))

    def as_grant(self, scope: Scope) -> Access:
        return Access(scope, self.account_id, f"person:{self.account_id}")

    def narrowed(
        self,
        facts: Facts,
        urn: str | None = None,
        code: str | None = None,
        upn: str | None = None,
    ) -> Access:
        """The grant that answers for the object a request names (none named: the widest)."""
        return self.as_grant(self._choose(facts, urn, code, upn))

    def _choose(self, facts: Facts, urn: str | None, code: str | None, upn: str | None) -> Scope:
        ranked = sorted(self.grants, key=_breadth)
        overseer = next((g for g in ranked if g.kind in OVERSEERS), None)
        if overseer is not None or not ranked:
            return overseer or Scope("none")
        schools = [g for g in ranked if g.kind == "school"]
        if upn is not None:
            return _school_of_pupil(schools, facts.pupil_schools(upn)) or ranked[0]
        if urn is not None:
            own = next((g for g in schools if g.school == urn), None)
            return own or _hub_of(ranked, facts.hub_of_school(urn)) or ranked[0]
        if code is not None:
            return next((g for g in ranked if g.hub == code), ranked[0])
        return ranked[0]


BREADTH = {"admin": 0, "auditor": 1, "school": 2, "hub": 3}  # which grant answers first


def _breadth(scope: Scope) -> int:
    return BREADTH.get(scope.kind, len(BREADTH))


def _school_of_pupil(schools: list[Scope], pupil_schools: list[str]) -> Scope | None:
    """The person's school the pupil is at, or was last at: what that school's token would see."""
    for urn in reversed(pupil_schools):
        found = next((g for g in schools if g.school == urn), None)
        if found is not None:
            return found
    return None


def _hub_of(grants: list[Scope], hub: str | None) -> Scope | None:
    return next((g for g in grants if hub is not None and g.hub == hub), None)
