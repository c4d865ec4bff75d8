"""A slow, obvious implementation of metrics.md straight from the events, to check the views
against."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from tracker.calendar import AcademicYear
from tracker.rulesets import ACTIVITY_KINDS, COLLEGE_TYPES, rule_set_for

# The year groups each type teaches where none were set, as docs/years.md lists them.
USUAL_YEAR_GROUPS = {
    "secondary": (7, 11),
    "middle": (5, 8),
    "special": (7, 14),
    "alternative_provision": (7, 11),
    "fe_college": (12, 14),
    "sixth_form_college": (12, 13),
    "utc": (10, 13),
}


@dataclass
class World:
    schools: dict[str, str] = field(default_factory=dict)  # urn -> type
    enrolments: dict[str, list[list]] = field(
        default_factory=lambda: defaultdict(list)
    )  # upn -> [urn, from, to]
    year_groups: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)
    placements: dict[str, dict[str, Any]] = field(default_factory=dict)
    checklist: dict[str, list[tuple[date, int, str, bool]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    year_ranges: dict[str, dict[int, tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(dict)
    )


def world_from(events: Iterable[Any]) -> World:
    world, names = World(), {}
    for event in events:
        kind, key = type(event).__qualname__, str(event.originator_id)
        if kind == "School.Registered":
            world.schools[event.urn] = event.type
            names[key] = event.urn
        elif kind == "School.YearGroupsSet":
            world.year_ranges[names[key]][event.from_year or 0] = (event.first, event.last)
        elif kind == "Student.Registered":
            names[key] = event.upn
        elif kind == "Student.Enrolled":
            world.enrolments[names[key]].append([event.school_urn, event.enrolled_on, None])
            _set_year_group(world, names[key], event.academic_year, event.year_group)
        elif kind == "Student.Left":
            world.enrolments[names[key]][-1][2] = event.left_on
        elif kind == "Student.YearGroupChanged":
            _set_year_group(world, names[key], event.academic_year, event.year_group)
        elif kind == "Activity.Recorded":
            world.activities[key] = {
                "kind": event.kind,
                "occurred_on": event.occurred_on,
                "meaningful": event.meaningful,
                "criteria": event.criteria,
                "attendees": set(event.attendees),
                "retracted": False,
            }
        elif kind == "Activity.AttendeesAdded":
            world.activities[key]["attendees"] |= set(event.upns)
        elif kind == "Activity.AttendeesRemoved":
            world.activities[key]["attendees"] -= set(event.upns)
        elif kind == "Activity.Amended":
            for name in ("occurred_on", "meaningful", "criteria"):
                if getattr(event, name) is not None:
                    world.activities[key][name] = getattr(event, name)
        elif kind == "Activity.Retracted":
            world.activities[key]["retracted"] = True
        elif kind == "Placement.Arranged":
            world.placements[key] = {"upn": event.upn, "completed_on": None}
        elif kind == "Placement.Completed":
            world.placements[key]["completed_on"] = event.completed_on
        elif kind in ("School.CriterionMet", "School.CriterionUnmet"):
            world.checklist[names[key]].append(
                (
                    event.changed_on,
                    event.originator_version,
                    event.code,
                    kind == "School.CriterionMet",
                )
            )
    return world


def _set_year_group(world: World, upn: str, year: int, group: int) -> None:
    """The latest year group recorded for a year replaces any earlier one for that year."""
    world.year_groups[upn] = [r for r in world.year_groups[upn] if r[0] != year] + [(year, group)]


def ncy(world: World, upn: str, year: int) -> int:
    from_year, group = max(r for r in world.year_groups[upn] if r[0] <= year)
    return group + year - from_year


def ks5_start(world: World, upn: str) -> date:
    from_year, group = max(world.year_groups[upn])
    return date(from_year + 12 - group, 9, 1)


def taught(world: World, urn: str, year: int) -> range:
    """The year groups the school teaches in the year starting in `year`."""
    ranges = {start: span for start, span in world.year_ranges[urn].items() if start <= year}
    first, last = ranges[max(ranges)] if ranges else USUAL_YEAR_GROUPS[world.schools[urn]]
    return range(first, last + 1)


def on_roll(world: World, urn: str, d: date) -> list[str]:
    return [
        upn
        for upn, spans in world.enrolments.items()
        if any(s == urn and start <= d and (end is None or d <= end) for s, start, end in spans)
    ]


def counted(world: World, upn: str, d: date) -> list[tuple[date, str, int]]:
    """(date, kind, benchmark) of every counted thing the pupil attended or completed by `d`."""
    found = []
    for activity in world.activities.values():
        if activity["retracted"] or upn not in activity["attendees"] or activity["occurred_on"] > d:
            continue
        rule_set = rule_set_for(AcademicYear.containing(activity["occurred_on"]))
        benchmark = rule_set.counts_towards(
            activity["kind"], activity["meaningful"], activity["criteria"]
        )
        if benchmark:
            found.append((activity["occurred_on"], activity["kind"], benchmark))
    for placement in world.placements.values():
        if placement["upn"] == upn and placement["completed_on"] and placement["completed_on"] <= d:
            found.append((placement["completed_on"], "placement", 6))
    return found


def school_figures(world: World, urn: str, d: date) -> dict[int, tuple]:
    """{benchmark: (measured, met)} for 5–8 and {benchmark: score} for 1–4."""
    year = AcademicYear.containing(d)
    rules = rule_set_for(year)
    college = world.schools[urn] in COLLEGE_TYPES
    result = {b: [0, 0] for b in (5, 6, 7, 8)}
    for upn in on_roll(world, urn, d):
        group, things = ncy(world, upn, year.start_year), counted(world, upn, d)
        if group not in taught(world, urn, year.start_year):
            continue
        if college or 7 <= group <= 13:
            result[5][0] += 1
            this_year = [t for t in things if t[2] == 5 and t[0] >= year.start]
            result[5][1] += len(this_year) >= (rules.k5_college if college else rules.k5)
        if group in (11, 13):
            for b in (6, 7, 8):
                result[b][0] += 1
                result[b][1] += _meets(world, upn, group, b, things, rules)
    scores = {b: _score(world, urn, d, rules, b) for b in (1, 2, 3, 4)}
    return {**{b: tuple(v) for b, v in result.items()}, **scores}


def _meets(world: World, upn: str, group: int, benchmark: int, things: list, rules) -> bool:
    start = ks5_start(world, upn)
    if benchmark == 6:
        workplace = [t for t in things if t[2] == 6]
        return len(workplace) >= rules.k6 if group == 11 else any(t[0] >= start for t in workplace)
    if benchmark == 7:
        if group == 11:
            kinds = {ACTIVITY_KINDS[t[1]] for t in things if t[2] == 7}
            return {"fe", "he"} <= kinds
        return sum(t[1] == "university_visit" for t in things if t[2] == 7) >= 2
    meetings = [t for t in things if t[2] == 8]
    return bool(meetings) if group == 11 else any(t[0] >= start for t in meetings)


def _score(world: World, urn: str, d: date, rules, benchmark: int) -> float:
    latest = {}
    for changed_on, _version, code, met in sorted(world.checklist[urn]):
        if changed_on <= d:
            latest[code] = met
    criteria = rules.checklist[benchmark]
    return round(sum(latest.get(c.code, False) for c in criteria) / len(criteria), 3)
