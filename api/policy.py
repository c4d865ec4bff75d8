"""Who may do what: one signed-in caller's access, asked alike by the API and the dashboard.

Each answer is a plain yes or no; the API and the dashboard each say no in their own way (a 403
body, a 403 page). A question that needs a fact from the views (a school's hub on a date, the
schools a pupil has been at) asks `facts` for it only when the caller's kind makes it matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Protocol

from tracker.scopes import Scope

OVERSEERS = ("admin", "auditor")  # read everything; only an admin writes


class Facts(Protocol):
    """What the policy asks the views (projections.queries.Reads answers both)."""

    def hub_of_school(self, urn: str, as_of: date | None = None) -> str | None: ...

    def pupil_schools(self, upn: str) -> list[str]: ...


@dataclass(frozen=True)
class Access:
    """A caller signed in with one token (by bearer header or dashboard session)."""

    scope: Scope
    subject: str
    token_id: str

    @classmethod
    def of(cls, token) -> Access:
        """From a live token record (tracker.domain.access.AccessToken)."""
        return cls(Scope.parse(token.scope), token.subject, str(token.id))

    @property
    def kind(self) -> str:
        return self.scope.kind

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"

    @property
    def oversees(self) -> bool:
        """Admins and auditors read everything."""
        return self.kind in OVERSEERS

    @property
    def school(self) -> str | None:
        """The school a school token is confined to (a use case's `within_school`); else None."""
        return self.scope.school

    @property
    def sees_exact_counts(self) -> bool:
        """Hubs see small counts withheld (projections/small_numbers.py); the rest see them."""
        return self.kind != "hub"

    # --- writing ---------------------------------------------------------------

    def may_write_for(self, urn: str) -> bool:
        """Admins, and the school's own token."""
        return self.is_admin or self.school == urn

    def may_write(self) -> bool:
        """For paths naming an activity or placement: the use case checks the object's school."""
        return self.kind in ("admin", "school")

    # --- reading ---------------------------------------------------------------

    def may_read_school(self, urn: str, on: date | None, facts: Facts) -> bool:
        """Admins, auditors, the school itself, and the hub the school belongs to on the date asked
        (today when None): a hub does not see a school's figures from before it joined."""
        if self.oversees or self.school == urn:
            return True
        return self.kind == "hub" and facts.hub_of_school(urn, on) == self.scope.hub

    def may_read_hub(self, code: str) -> bool:
        return self.oversees or self.scope.hub == code

    def may_see_pupils_of(self, urn: str) -> bool:
        """A school's roll and attendee lists name its pupils: admins, auditors and the school;
        never hubs."""
        return self.oversees or self.school == urn

    def may_read_pupil(self, upn: str, facts: Facts) -> bool:
        """Admins, auditors, and schools the pupil is or was on roll at; never hubs."""
        return self.oversees or (self.kind == "school" and self.school in facts.pupil_schools(upn))

    def holds_pupil(self, upn: str, facts: Facts) -> bool:
        """Whether this is the school the pupil is on roll at, or was last on roll at."""
        return self.kind == "school" and self.school == holding_school(upn, facts)

    def may_export_pupil(self, upn: str, facts: Facts) -> bool:
        """A pupil's whole record (a subject access export): admins, auditors, the holding
        school."""
        return self.oversees or self.holds_pupil(upn, facts)

    def may_read_event_log(self) -> bool:
        return self.oversees

    def may_ask_access_log(self) -> bool:
        """Hubs never see the access log, whatever they ask."""
        return self.kind in (*OVERSEERS, "school")

    def may_read_access_log(self, upn: str | None, facts: Facts) -> bool:
        """Admins and auditors; a school, about a pupil it holds."""
        return self.oversees or (bool(upn) and self.holds_pupil(upn, facts))

    # --- the register of organisations -----------------------------------------------

    def may_register_organisations(self) -> bool:
        """Admins, schools (naming employers as they record) and hubs; auditors only read."""
        return self.kind in ("admin", "school", "hub")

    def may_merge_organisations(self) -> bool:
        """Admins and Hub Leads, who know their network's duplicates."""
        return self.kind in ("admin", "hub")

    def may_read_willing_hosts(self, code: str, facts: Facts) -> bool:
        """The hub's own readers, and its member schools, who arrange the next placement."""
        return self.may_read_hub(code) or (
            self.kind == "school" and facts.hub_of_school(self.school) == code
        )

    def schools_seen(self, members_of: Callable[[str], list[str]]) -> list[str] | None:
        """The schools whose encounters the caller reads in an employer's history: every one
        (None) for admins and auditors, a hub's members for a hub, a school its own."""
        if self.oversees:
            return None
        if self.kind == "hub":
            return members_of(self.scope.hub)
        return [self.school] if self.school else []

    @property
    def pupil_viewer(self) -> str | None:
        """The school whose part of a pupil's record the caller sees (docs/transfers.md); None sees
        it all."""
        return self.school


def holding_school(upn: str, facts: Facts) -> str | None:
    """The school the pupil is on roll at, or the last one they were at if they have left."""
    schools = facts.pupil_schools(upn)
    return schools[-1] if schools else None
