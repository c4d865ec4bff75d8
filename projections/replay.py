"""What the system said at a past time: the log up to that moment replayed into scratch views."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from projections.page import Known, Page
from projections.projection import CareersProjection
from projections.rows import stamp
from projections.store import SQLiteViewStore, ViewStore

# Events that change no figure: left out of a replay to keep it small.
NOT_REPLAYED = frozenset(
    {
        "Roll.Opened",
        "Roll.PupilAdmitted",
        "Roll.PupilDischarged",
        "IdempotencyKey.Used",
        "AccessToken.Issued",
        "AccessToken.Revoked",
    }
)


def position_known_at(store: ViewStore, known_at: datetime) -> int:
    """The last position recorded at or before `known_at` (0 if nothing was)."""
    rows = store.query(
        "SELECT MAX(position) FROM {events} WHERE recorded_at <= ?", (stamp(known_at),)
    )
    return rows[0][0] or 0


def replay_schools(app: Any, live: ViewStore, urns: list[str], position: int) -> ViewStore:
    """Scratch views holding only what bears on `urns`' figures, from the log up to `position`."""
    upns = _pupils_of(live, urns, position)
    aggregates = _aggregates(live, urns, upns, position)
    scratch = SQLiteViewStore(":memory:")
    scratch.create_tables()
    with scratch.transaction() as cursor:
        page, projection = Page(scratch, cursor, Known(), versions=False), CareersProjection()
        for at, event in _events(app, aggregates, position):
            projection.apply(event, at, page)
        projection.finish(page, position)
        scratch.execute(
            cursor, "UPDATE {tracking} SET position = ? WHERE name = 'views'", (position,)
        )
    return scratch


def _rows(live: ViewStore, template: str, values: list[str], position: int) -> list[tuple]:
    """Rows of a template with `position <= :position` and `IN ({in})`, for all of `values`."""
    rows: list[tuple] = []
    for statement, params in live.membership(template, values, {"position": position}):
        rows.extend(live.query(statement, params))
    return rows


def _pupils_of(live: ViewStore, urns: list[str], position: int) -> list[str]:
    return sorted(
        {
            upn
            for (upn,) in _rows(
                live,
                "SELECT DISTINCT upn FROM {events} WHERE position <= :position "
                "AND upn IS NOT NULL AND school_urn IN ({in})",
                urns,
                position,
            )
        }
    )


def _aggregates(live: ViewStore, urns: list[str], upns: list[str], position: int) -> set[str]:
    """Hubs, the register of organisations and its merges (every school's figures name them),
    the schools, their own records, their pupils' records and activities anywhere."""
    found = {
        row[0]
        for row in live.query(
            "SELECT aggregate_id FROM {events} WHERE position <= ? AND type IN ('Hub.Registered', "
            "'Organisation.Registered', 'Duplicate.Merged', 'Duplicate.MergedAgain', "
            "'Duplicate.Unmerged')",
            (position,),
        )
    }
    found |= _ids(
        live,
        "SELECT aggregate_id, type FROM {events} "
        "WHERE position <= :position AND school_urn IN ({in})",
        urns,
        position,
    )
    found |= _ids(
        live,
        "SELECT aggregate_id, type FROM {events} WHERE position <= :position AND upn IN ({in})",
        upns,
        position,
    )
    found |= _ids(
        live,
        "SELECT e.aggregate_id, e.type FROM {event_upns} u JOIN {events} e "
        "ON e.position = u.position "
        "WHERE u.position <= :position AND u.upn IN ({in})",
        upns,
        position,
    )
    return found


def _ids(live: ViewStore, template: str, values: list[str], position: int) -> set[str]:
    return {
        aggregate_id
        for aggregate_id, kind in _rows(live, template, values, position)
        if kind not in NOT_REPLAYED
    }


def _events(app: Any, aggregates: set[str], position: int) -> list[tuple[int, Any]]:
    """Each aggregate's events up to `position`, with the position each was recorded at, in log
    order."""
    notifications = app.recorder.events_of(sorted(UUID(a) for a in aggregates), position)
    events = app.mapper.to_domain_events(
        notifications, identities=False
    )  # figures need no identity
    return [
        (notification.id, event) for notification, event in zip(notifications, events, strict=True)
    ]
