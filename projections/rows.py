"""The row-level work the projection's handlers share: names, facts of activities, encounters."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

from projections.page import Page
from tracker.calendar import AcademicYear
from tracker.domain.activity import Activity
from tracker.rulesets import ACTIVITY_KINDS, rule_set_for

Subject = tuple[str | None, str | None]  # (school URN, UPN) an event is about, for the audit index


def aggregate_id(event: Any) -> str:
    return str(event.originator_id)


def stamp(moment: datetime) -> str:
    """Record time as fixed-width UTC text, so comparing the text compares the times."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def counts(kind: str, occurred_on, meaningful, criteria) -> int:
    """1 if the rule set of the activity's own year counts it towards a benchmark."""
    rule_set = rule_set_for(AcademicYear.containing(occurred_on))
    return int(rule_set.counts_towards(kind, meaningful, criteria) is not None)


def event_type(event: Any) -> str:
    return type(event).__qualname__


_LISTING = {
    Activity.Recorded: "attendees",
    Activity.AttendeesAdded: "upns",
    Activity.AttendeesRemoved: "upns",
}


def listed_upns(event: Any) -> list[str]:
    """The pupils an event names besides its own aggregate's: an activity's attendees."""
    field = _LISTING.get(type(event))
    return getattr(event, field) if field else []


def name(page: Page, event: Any, natural_key: str) -> None:
    page.insert("names", [(aggregate_id(event), natural_key)])
    page.known.put(aggregate_id(event), natural_key)


def natural_key(page: Page, event: Any) -> str:
    """The URN or UPN behind an aggregate id: from memory, else from the names table."""
    identifier = aggregate_id(event)
    natural_key = page.known.get(identifier)
    if natural_key is None:
        natural_key = page.read("SELECT natural_key FROM {names} WHERE id = ?", (identifier,))[0][0]
        page.known.put(identifier, natural_key)
    return natural_key


def criterion(page: Page, event: Any, met: int) -> Subject:
    urn = natural_key(page, event)
    page.dirty_schools.add(urn)
    page.insert(
        "checklist",
        [
            (
                urn,
                event.benchmark,
                event.code,
                met,
                event.changed_on,
                event.evidence,
                event.originator_version,
            )
        ],
    )
    return urn, None


def year_group(page: Page, upn: str, from_year: int, year_group: int) -> None:
    page.upsert("year_groups", ("upn", "from_year"), [(upn, from_year, year_group)])
    page.roll_changed([upn])


def dated(facts: dict[str, Any]) -> tuple:
    """occurred_on, its academic year, and whether it counts under that year's rule set."""
    occurred_on = facts["occurred_on"]
    return (
        occurred_on,
        AcademicYear.containing(occurred_on).start_year,
        counts(facts["kind"], occurred_on, facts["meaningful"], facts["criteria"]),
    )


def add_encounters(page: Page, activity_id: str, facts: dict[str, Any], upns: list[str]) -> None:
    occurred_on, year, counted = dated(facts)
    category = ACTIVITY_KINDS[facts["kind"]]
    page.insert(
        "encounters",
        [
            (
                activity_id,
                upn,
                facts["school_urn"],
                occurred_on,
                year,
                facts["kind"],
                category,
                counted,
            )
            for upn in upns
        ],
    )
    # An encounter that does not count changes no milestone, but its pupil's school still moved.
    page.add(upns, [(occurred_on, year, facts["kind"], category)] if counted else [])


def activity_facts(page: Page, activity_id: str) -> dict[str, Any]:
    if activity_id not in page.activity_facts:
        row = page.read(
            "SELECT school_urn, kind, title, occurred_on, meaningful, criteria FROM {activities} "
            "WHERE id = ?",
            (activity_id,),
        )[0]
        page.activity_facts[activity_id] = facts_from_row(page, activity_id, row)
    return page.activity_facts[activity_id]


def facts_from_row(page: Page, activity_id: str, row: tuple) -> dict[str, Any]:
    school_urn, kind, title, occurred_on, meaningful, criteria = row
    return {
        "school_urn": school_urn,
        "kind": kind,
        "title": title,
        "occurred_on": occurred_on
        if isinstance(occurred_on, date)
        else date.fromisoformat(occurred_on),
        "meaningful": None if meaningful is None else bool(meaningful),
        "criteria": json.loads(criteria) if criteria else None,
        "employer": None,
        "provider": None,
    }


def attendees(page: Page, activity_id: str) -> list[str]:
    return [
        row[0]
        for row in page.read("SELECT upn FROM {encounters} WHERE source_id = ?", (activity_id,))
    ]


def placement_state(page: Page, event: Any, state: str) -> Subject:
    page.update("placements", {"id": aggregate_id(event)}, state=state)
    return placement_subject(page, aggregate_id(event))


def placement_subject(page: Page, placement_id: str) -> Subject:
    subject = page.known.get(placement_id)
    if subject is None:
        subject = tuple(
            page.read("SELECT school_urn, upn FROM {placements} WHERE id = ?", (placement_id,))[0]
        )
        page.known.put(placement_id, subject)
    return subject


def flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def name_of(party: dict[str, Any] | None) -> str | None:
    return party.get("name") if party else None


def destination(
    page: Page, upn: str, urn: str, left_on: Any, where: str | None, recorded_on: Any
) -> None:
    """One word of where a leaver went; a second word on the same day replaces the first."""
    page.upsert(
        "destinations",
        ("upn", "school_urn", "left_on", "recorded_on"),
        [(upn, urn, left_on, where, recorded_on)],
    )
