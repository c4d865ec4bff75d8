"""The register of organisations: employers and providers, and duplicates merged into another."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from tracker.domain.base import TrackerAggregate, stable_id
from tracker.errors import RuleBroken
from tracker.organisations import normalised_name


def organisation_id(role: str, name: str) -> UUID:
    """One id per role and matched name, so a name typed on an activity and the registered
    organisation it matches are the same organisation without either naming the other."""
    return stable_id("organisation", f"{role}:{normalised_name(name)}")


class Organisation(TrackerAggregate):
    """An employer or provider, registered once under its name's matched form."""

    @staticmethod
    def create_id(role: str, name: str) -> UUID:
        return organisation_id(role, name)

    @event("Registered")
    def __init__(
        self,
        role: str,
        name: str,
        sector: str | None,
        size: str | None,
        companies_house: str | None,
        postcode_area: str | None,
        provider_type: str | None,
        ukprn: str | None,
    ) -> None:
        self.role = role
        self.name = name
        self.sector = sector
        self.size = size
        self.companies_house = companies_house
        self.postcode_area = postcode_area
        self.provider_type = provider_type
        self.ukprn = ukprn


class Duplicate(TrackerAggregate):
    """That one organisation is another under a second name: while merged, every figure counts
    the two as the one it was merged into. Kept apart from `Organisation` because a name typed on
    an activity is in the register without ever having been registered."""

    @staticmethod
    def create_id(duplicate_id: str) -> UUID:
        return stable_id("duplicate", duplicate_id)

    @event("Merged")
    def __init__(self, duplicate_id: str, into_id: str, merged_on: date) -> None:
        self.duplicate_id = duplicate_id
        self.into_id: str | None = into_id

    @property
    def is_merged(self) -> bool:
        return self.into_id is not None

    def unmerge(self, unmerged_on: date) -> None:
        if not self.is_merged:
            raise RuleBroken("this organisation is not merged into another", "id")
        self._unmerged(unmerged_on)

    @event("Unmerged")
    def _unmerged(self, unmerged_on: date) -> None:
        self.into_id = None

    def merge_again(self, into_id: str, merged_on: date) -> None:
        if self.is_merged:
            raise RuleBroken("this organisation is already merged into another", "id")
        self._merged_again(into_id, merged_on)

    @event("MergedAgain")
    def _merged_again(self, into_id: str, merged_on: date) -> None:
        self.into_id = into_id
