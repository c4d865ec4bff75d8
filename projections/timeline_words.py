"""A pupil's timeline in words: each event touching them with the date, kind, title and employer
or provider of the activity or placement it is about, and whether it corrects an earlier record.
Two queries for a whole page of events, whatever its length."""

from __future__ import annotations

from typing import Any

from projections.store import ViewStore, any_of

# What each event means for the pupil, as a Careers Leader would say it.
SAID = {
    "Activity.Recorded": "Took part",
    "Activity.AttendeesAdded": "Attendees added to the activity",
    "Activity.AttendeesRemoved": "Attendees removed from the activity",
    "Activity.Amended": "The activity's details corrected",
    "Activity.Retracted": "The activity retracted: recorded in error",
    "Placement.Arranged": "Placement arranged",
    "Placement.Confirmed": "Placement confirmed, checks done",
    "Placement.Completed": "Placement completed",
    "Placement.Cancelled": "Placement cancelled",
    "Student.Registered": "Registered",
    "Student.Enrolled": "Enrolled at the school",
    "Student.Left": "Left the school",
    "Student.YearGroupChanged": "Year group corrected",
    "Student.GroupAssigned": "Registration group set",
    "Student.SenChanged": "Special educational needs changed",
    "Student.PupilPremiumChanged": "Pupil premium changed",
    "Student.DestinationRecorded": "Destination recorded",
    "Student.IdentityErased": "Identity erased",
    "Student.IdentityPseudonymised": "Identity pseudonymised",
    "Roll.PupilAdmitted": "Admitted to the roll",
    "Roll.PupilDischarged": "Taken off the roll",
}
# Events that correct an earlier record rather than add a new fact.
CORRECTIONS = frozenset(
    {
        "Activity.AttendeesAdded",
        "Activity.AttendeesRemoved",
        "Activity.Amended",
        "Activity.Retracted",
        "Student.YearGroupChanged",
    }
)


def in_words(store: ViewStore, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events, each with `said`, `correction` and what it is about (`about`: None for the
    pupil's own record)."""
    ids = [e["aggregate_id"] for e in events]
    about = {**_activities(store, ids), **_placements(store, ids)}
    return [
        {
            **event,
            "said": SAID.get(event["type"], event["type"]),
            "correction": event["type"] in CORRECTIONS,
            "about": about.get(event["aggregate_id"]),
        }
        for event in events
    ]


def _activities(store: ViewStore, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    marks, named = any_of("id", sorted(set(ids)))
    rows = store.query(
        "SELECT id, occurred_on, kind, title, employer_name, provider_name FROM {activities} "
        f"WHERE id IN ({marks})",
        named,
    )
    return {
        row[0]: {"on": _day(row[1]), "kind": row[2], "title": row[3], "with": row[4] or row[5]}
        for row in rows
    }


def _placements(store: ViewStore, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    marks, named = any_of("id", sorted(set(ids)))
    rows = store.query(
        f"SELECT id, starts_on, kind, employer_name FROM {{placements}} WHERE id IN ({marks})",
        named,
    )
    return {
        row[0]: {"on": _day(row[1]), "kind": row[2], "title": None, "with": row[3]} for row in rows
    }


def _day(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value
