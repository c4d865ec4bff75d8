"""The register's rows: registered organisations, the organisation each activity or placement
names (read from the name typed on it: no event is rewritten), and merges of duplicates."""

from __future__ import annotations

from typing import Any

from projections.page import Page
from projections.rows import aggregate_id, name, natural_key
from tracker.domain.organisation import Duplicate, organisation_id


def counterparts(page: Page, source_id: str, employer: Any, provider: Any) -> None:
    """The employer and provider an activity or placement names; an amendment naming one again
    replaces it, one naming none keeps the one named before."""
    rows = [
        _counterpart(source_id, role, party)
        for role, party in (("employer", employer), ("provider", provider))
        if party and party.get("name")
    ]
    page.upsert("counterparts", ("source_id", "role"), rows)


def _counterpart(source_id: str, role: str, party: dict[str, Any]) -> tuple:
    return (
        source_id,
        role,
        str(organisation_id(role, party["name"])),
        party["name"],
        party.get("sector"),
        party.get("size"),
        party.get("type"),
    )


def organisation_registered(page: Page, event: Any) -> None:
    page.upsert(
        "organisations",
        ("id",),
        [
            (
                aggregate_id(event),
                event.role,
                event.name,
                event.sector,
                event.size,
                event.companies_house,
                event.postcode_area,
                event.provider_type,
                event.ukprn,
            )
        ],
    )


def duplicate_changed(page: Page, event: Any, into_id: str | None, changed_on: Any) -> None:
    """One row per merge or unmerge, so figures on an earlier date see the register as it was."""
    if isinstance(event, Duplicate.Merged):
        name(page, event, event.duplicate_id)  # later events carry only the aggregate's id
    duplicate_id = natural_key(page, event)
    page.insert("merges", [(duplicate_id, event.originator_version, into_id, changed_on)])


def host_answer(page: Page, placement_id: str, school_urn: str, event: Any) -> None:
    page.insert("host_answers", [(placement_id, school_urn, event.completed_on, event.would_host)])
