"""Everything held about one pupil, for a subject access request: from the views, and the log's
events.

Other pupils appear in some of those events (an activity's attendee list names everyone who went):
they are the pupil's fellow attendees, not the pupil, so their UPNs are withheld and only counted.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from projections import records
from projections.store import ViewStore
from tracker.calendar import AcademicYear

UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
PAGE = 1000


def subject_access(
    store: ViewStore, app: Any, upn: str, today: date, school: str | None = None
) -> dict[str, Any] | None:
    """The pupil's whole record, or None if the tracker holds nothing about them; for a `school`,
    its own part of it (docs/transfers.md): never another school's flags, destination or enrolment
    events."""
    record = records.pupil(store, upn, app.identity_of, today, school=school)
    if record is None:
        return None
    attended = _activities(store, upn)
    return {
        "upn": upn,
        "as_of": today.isoformat(),
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "identity": {
            key: record[key]
            for key in ("given_name", "family_name", "date_of_birth", "pseudonymised")
        },
        "enrolments": _with_school_names(store, record["enrolments"]),
        "year_groups": {"this_year": record["year_group"], "recorded": _year_groups(store, upn)},
        "flags": {"sen": record["sen"], "pupil_premium": record["pupil_premium"]},
        "destinations": [
            {
                "school_urn": e["school_urn"],
                "left_on": e["left_on"],
                "destination": e["destination"],
            }
            for e in record["enrolments"]
            if e["left_on"]
        ],
        "activities": [a for a in attended if a["category"] != "guidance"],
        "guidance": [a for a in attended if a["category"] == "guidance"],
        "placements": _placements(store, upn),
        "encounters": {"counts": record["counts"], "counted": _counted(store, upn)},
        "events": [_withheld_others(event, upn) for event in _events(store, app, upn, school)],
    }


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _with_school_names(store: ViewStore, enrolments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = {}
    for urn in {enrolment["school_urn"] for enrolment in enrolments}:
        rows = store.query("SELECT name FROM {schools} WHERE urn = ?", (urn,))
        names[urn] = rows[0][0] if rows else None
    return [
        {**enrolment, "school_name": names[enrolment["school_urn"]]} for enrolment in enrolments
    ]


def _year_groups(store: ViewStore, upn: str) -> list[dict[str, Any]]:
    """Each year group recorded for the pupil (at enrolment or corrected), from the academic year it
    applies."""
    return [
        {"from": str(AcademicYear(year)), "year_group": group}
        for year, group in store.query(
            "SELECT from_year, year_group FROM {year_groups} WHERE upn = ? ORDER BY from_year",
            (upn,),
        )
    ]


ACTIVITY_FIELDS = (
    "id",
    "school_urn",
    "kind",
    "category",
    "title",
    "occurred_on",
    "employer",
    "provider",
    "meaningful",
    "counts",
)


def _activities(store: ViewStore, upn: str) -> list[dict[str, Any]]:
    """Every activity the pupil is on the attendee list of (retracted ones are gone from it; the
    events keep them)."""
    rows = store.query(
        "SELECT a.id, a.school_urn, a.kind, a.category, a.title, a.occurred_on, a.employer_name, "
        "a.provider_name, a.meaningful, a.counts "
        "FROM {encounters} n JOIN {activities} a ON a.id = n.source_id "
        "WHERE n.upn = ? ORDER BY a.occurred_on, a.id",
        (upn,),
    )
    return [
        {
            **dict(zip(ACTIVITY_FIELDS, row, strict=True)),
            "occurred_on": _iso(row[5]),
            "meaningful": None if row[8] is None else bool(row[8]),
            "counts": bool(row[9]),
        }
        for row in rows
    ]


PLACEMENT_FIELDS = (
    "id",
    "school_urn",
    "kind",
    "employer",
    "starts_on",
    "ends_on",
    "state",
    "completed_on",
    "hours",
)


def _placements(store: ViewStore, upn: str) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT id, school_urn, kind, employer_name, starts_on, ends_on, state, completed_on, "
        "hours FROM {placements} WHERE upn = ? ORDER BY starts_on, id",
        (upn,),
    )
    return [
        {key: _iso(value) for key, value in zip(PLACEMENT_FIELDS, row, strict=True)} for row in rows
    ]


def _counted(store: ViewStore, upn: str) -> list[dict[str, Any]]:
    """The encounters that count towards the benchmarks: attended activities and completed
    placements."""
    rows = store.query(
        "SELECT source_id, school_urn, kind, category, occurred_on, academic_year "
        "FROM {encounters} WHERE upn = ? AND counts = 1 ORDER BY occurred_on, source_id",
        (upn,),
    )
    return [
        {
            "source_id": source,
            "school_urn": urn,
            "kind": kind,
            "category": category,
            "occurred_on": _iso(on),
            "academic_year": str(AcademicYear(year)),
        }
        for source, urn, kind, category, on, year in rows
    ]


def _events(store: ViewStore, app: Any, upn: str, school: str | None) -> list[dict[str, Any]]:
    """Every event of the pupil's timeline (a school's part of it, for a school), each as the audit
    log shows it (with its data)."""
    shown = (
        {}
        if school
        else {
            item["position"]: item
            for item in _all_pages(
                lambda after: records.audit_events(store, app, after, PAGE, upn=upn)
            )
        }
    )
    for position in _all_pages(
        lambda after: records.timeline(store, upn, after, PAGE, school=school)
    ):
        if position["position"] not in shown:  # e.g. an amendment of an activity they attended
            item = records.audit_events(store, app, position["position"] - 1, 1).items[0]
            shown[item["position"]] = item
    return [shown[position] for position in sorted(shown)]


def _all_pages(page_after) -> list[dict[str, Any]]:
    items, after = [], 0
    while True:
        page = page_after(after)
        items += page.items
        if page.next is None:
            return items
        after = int(page.next)


def _other_pupil(value: Any, upn: str) -> bool:
    return isinstance(value, str) and value != upn and UPN_SHAPE.match(value) is not None


def _withheld_others(value: Any, upn: str) -> Any:
    """The value with other pupils' UPNs taken out: from a list, counted beside it as
    `<key>_withheld`."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            others = [v for v in item if _other_pupil(v, upn)] if isinstance(item, list) else []
            result[key] = (
                [_withheld_others(v, upn) for v in item if not _other_pupil(v, upn)]
                if others
                else _withheld_others(item, upn)
            )
            if others:
                result[f"{key}_withheld"] = len(others)
        return result
    if isinstance(value, list):
        return [_withheld_others(v, upn) for v in value]
    return "(another pupil)" if _other_pupil(value, upn) else value
