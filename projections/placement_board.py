"""A school's placements as its board reads them: each with the pupil's year group that year, the
employer as named and as matched in the register, the employer's answer on completion, and what
the log alone keeps (the checks a confirmation named, a cancellation's reason)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from projections.answers import Answer
from projections.engagement_rows import as_date
from projections.provider_access import year_group_in
from projections.records import _attach_data
from projections.store import ViewStore, any_of
from tracker.calendar import AcademicYear

STATES = ("arranged", "confirmed", "completed", "cancelled")

_PLACEMENTS = (
    "SELECT p.id, p.upn, p.kind, p.employer_name, p.starts_on, p.ends_on, p.state, "
    "p.completed_on, p.hours, h.would_host, c.organisation_id, o.name FROM {placements} p "
    "LEFT JOIN {host_answers} h ON h.placement_id = p.id "
    "LEFT JOIN {counterparts} c ON c.source_id = p.id AND c.role = 'employer' "
    "LEFT JOIN {organisations} o ON o.id = c.organisation_id "
    "WHERE p.school_urn = ? ORDER BY p.starts_on, p.id"
)
# The placements table keeps states, not the words said on the way: those are read from the log.
_STEPS = (
    "SELECT position, aggregate_id, type FROM {events} WHERE school_urn = ? "
    "AND type IN ('Placement.Confirmed', 'Placement.Cancelled') ORDER BY position"
)


@dataclass(frozen=True, kw_only=True)
class PlacementCard(Answer):
    """One placement on a school's board."""

    id: str
    upn: str
    year_group: int | None  # in the academic year the placement starts
    kind: str
    employer_name: str
    organisation_id: str | None  # the register's organisation the name matches
    organisation_name: str | None  # its registered name, when it has been registered
    starts_on: date
    ends_on: date
    state: str
    completed_on: date | None
    hours: float | None
    would_host: str | None
    checks: tuple[str, ...] = ()  # the checks the confirmation said were done
    cancel_reason: str | None = None


def school_placements(store: ViewStore, app: Any, urn: str) -> list[PlacementCard]:
    """Every placement the school has arranged, by start date, in two queries and a read of the
    log for its confirmations and cancellations."""
    rows = store.query(_PLACEMENTS, (urn,))
    groups = _year_groups(store, sorted({row[1] for row in rows}))
    cards = {row[0]: _card(row, groups.get(row[1], [])) for row in rows}
    steps = [
        {"position": position, "aggregate": aggregate, "type": kind}
        for position, aggregate, kind in store.query(_STEPS, (urn,))
    ]
    _attach_data(app, steps)
    for step in steps:
        if (card := cards.get(step["aggregate"])) is not None:
            cards[card.id] = _with_step(card, step)
    return list(cards.values())


def by_year_group(cards: list[PlacementCard]) -> list[tuple[int | None, dict[str, list]]]:
    """The board: a row per year group (unknown last), a column per state."""
    years = sorted({c.year_group for c in cards}, key=lambda y: (y is None, y or 0))
    return [
        (year, {s: [c for c in cards if c.year_group == year and c.state == s] for s in STATES})
        for year in years
    ]


def _card(row: tuple, spans: list[tuple[int, int]]) -> PlacementCard:
    id_, upn, kind, employer, starts, ends, state, completed, hours, host, org_id, org = row
    starts_on = as_date(starts)
    return PlacementCard(
        id=id_,
        upn=upn,
        year_group=year_group_in(spans, AcademicYear.containing(starts_on).start_year),
        kind=kind,
        employer_name=employer,
        organisation_id=org_id,
        organisation_name=org,
        starts_on=starts_on,
        ends_on=as_date(ends),
        state=state,
        completed_on=as_date(completed) if completed else None,
        hours=hours,
        would_host=host,
    )


def _with_step(card: PlacementCard, step: dict) -> PlacementCard:
    data = step.get("data", {})
    if step["type"] == "Placement.Cancelled":
        return replace(card, cancel_reason=data.get("reason"))
    done = tuple(sorted(check for check, held in (data.get("checks") or {}).items() if held))
    return replace(card, checks=done)


def _year_groups(store: ViewStore, upns: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Each pupil's recorded year groups, oldest first."""
    if not upns:
        return {}
    marks, bound = any_of("upn", upns)
    spans: dict[str, list[tuple[int, int]]] = {}
    rows = store.query(
        f"SELECT upn, from_year, year_group FROM {{year_groups}} WHERE upn IN ({marks}) "
        "ORDER BY upn, from_year",
        bound,
    )
    for upn, from_year, group in rows:
        spans.setdefault(upn, []).append((from_year, group))
    return spans
