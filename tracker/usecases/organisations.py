"""Use cases for the register of organisations: registering one, merging duplicates."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import AggregateNotFoundError

from tracker.commands import Changes, use_case
from tracker.domain.organisation import Duplicate, Organisation
from tracker.errors import AlreadyExists, NotFound, RuleBroken
from tracker.organisations import check_role, checked_name, employer_details, provider_details
from tracker.rules import parse_uuid

MAX_CHAIN = 100  # merges into merges: far more than any register holds, so a loop is caught


class OrganisationNotFound(NotFound):
    def __init__(self, organisation_id: object):
        super().__init__(f"no organisation {organisation_id}", "id")


class Organisations:
    """Mixed into `Tracker`: these methods are its use cases."""

    @use_case(commutative=False)
    def register_organisation(self, role: str, name: str, details: dict[str, Any]) -> Changes:
        """Register an employer or provider; a name matching a registered one is refused."""
        role, name = check_role(role), checked_name(name)
        if Organisation.create_id(role, name) in self.repository:
            raise AlreadyExists(f"an {role} named like {name!r} is already registered", "name")
        checked = employer_details(details) if role == "employer" else provider_details(details)
        organisation = Organisation(
            role,
            name,
            checked.get("sector"),
            checked.get("size"),
            checked.get("companies_house"),
            checked.get("postcode_area"),
            checked.get("provider_type"),
            checked.get("ukprn"),
        )
        return Changes([organisation], str(organisation.id))

    @use_case(commutative=False)
    def merge_organisation(self, duplicate_id: str, into_id: str) -> Changes:
        """Record that `duplicate_id` is `into_id` under another name (both already checked to be
        in the register, which the views know)."""
        duplicate_id, into_id = self._organisation_id(duplicate_id), self._organisation_id(into_id)
        if self._resolved(into_id) == duplicate_id:
            raise RuleBroken("an organisation cannot be merged into itself", "into")
        link = self._duplicate(duplicate_id)
        if link is None:
            link = Duplicate(duplicate_id, into_id, self.today())
        else:
            link.merge_again(into_id, self.today())
        return Changes([link], duplicate_id)

    @use_case(commutative=False)
    def unmerge_organisation(self, duplicate_id: str) -> Changes:
        """Undo a merge: the two are counted apart again from today."""
        duplicate_id = self._organisation_id(duplicate_id)
        link = self._duplicate(duplicate_id)
        if link is None:
            raise RuleBroken("this organisation is not merged into another", "id")
        link.unmerge(self.today())
        return Changes([link], duplicate_id)

    def _organisation_id(self, value: str) -> str:
        return str(parse_uuid(value, OrganisationNotFound))

    def _duplicate(self, organisation_id: str) -> Duplicate | None:
        try:
            return self.repository.get(Duplicate.create_id(organisation_id))
        except AggregateNotFoundError:
            return None

    def _resolved(self, organisation_id: str) -> str:
        """The organisation a chain of merges ends at."""
        for _ in range(MAX_CHAIN):
            link = self._duplicate(organisation_id)
            if link is None or not link.is_merged:
                return organisation_id
            organisation_id = link.into_id
        raise RuleBroken("merges form a loop", "into")
