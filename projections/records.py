"""Lists and single records: pupils, timelines, a school's activities, the audit log. All paged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from projections.store import ViewStore
from tracker.calendar import AcademicYear
from tracker.errors import InvalidValue

IdentityOf = Callable[
    [str], "dict[str, Any] | None"
]  # a UPN's identity from the log (Tracker.identity_of)


@dataclass
class PageOf:
    """One page of a list, and the cursor for the next (None at the end)."""

    items: list[dict[str, Any]]
    next: str | None


def _page(rows: list[dict[str, Any]], limit: int, cursor_of) -> PageOf:
    more = len(rows) > limit
    rows = rows[:limit]
    return PageOf(rows, cursor_of(rows[-1]) if more and rows else None)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def pupil(
    store: ViewStore, upn: str, identity_of: IdentityOf | None, as_of: date, *, school: str | None
) -> dict[str, Any] | None:
    """The pupil's record as `school` may see it (docs/transfers.md): its own enrolments, and every
    counted encounter only while it holds the pupil. `school=None` (admins, auditors) sees it all.
    Given `identity_of`, who they are: read from the log, so nothing once their identity is
    erased."""
    rows = store.query("SELECT erased FROM {pupils} WHERE upn = ?", (upn,))
    enrolments = _enrolments(store, upn)
    if not rows or (school is not None and school not in {e["school_urn"] for e in enrolments}):
        return None
    holding = next((e["school_urn"] for e in enrolments if e["left_on"] is None), None)
    counted_at = (
        None if school in (None, holding) else school
    )  # a former school counts its own encounters
    result = {
        "upn": upn if identity_of else None,
        "year_group": year_group(store, upn, as_of),
        **_enrolment_part(enrolments, holding, school),
        "counts": encounter_counts(store, upn, as_of, counted_at),
        "encounters": encounters(store, upn, as_of, counted_at),
    }
    if identity_of:
        erased = bool(rows[0][0])
        identity = {} if erased else identity_of(upn) or {}
        given, family = names_seen_by(school, identity, enrolments)
        result.update(
            given_name=given,
            family_name=family,
            date_of_birth=_iso(identity.get("date_of_birth")),
            erased=erased,
            pseudonymised=erased,
        )
    return result


def _enrolment_part(
    enrolments: list[dict[str, Any]], holding: str | None, school: str | None
) -> dict[str, Any]:
    """The enrolments `school` made, its latest one's flags, and where the pupil is if that is with
    it."""
    shown = [e for e in enrolments if school in (None, e["school_urn"])]
    latest = shown[-1] if shown else {"sen": False, "pupil_premium": False}
    return {
        "current_school": holding if school in (None, holding) else None,
        "enrolments": [{key: e[key] for key in _ENROLMENT_SHOWN} for e in shown],
        "sen": latest["sen"],
        "pupil_premium": latest["pupil_premium"],
    }


_ENROLMENT_SHOWN = ("school_urn", "enrolled_on", "left_on", "destination", "sen", "pupil_premium")


def _enrolments(store: ViewStore, upn: str) -> list[dict[str, Any]]:
    keys = _ENROLMENT_SHOWN
    return [
        {
            **dict(zip(keys, row, strict=True)),
            "enrolled_on": _iso(row[1]),
            "left_on": _iso(row[2]),
            "sen": bool(row[4]),
            "pupil_premium": bool(row[5]),
        }
        for row in store.query(
            f"SELECT {', '.join(keys)} FROM {{enrolments}} WHERE upn = ? ORDER BY enrolled_on",
            (upn,),
        )
    ]


def names_seen_by(
    school: str | None, identity: dict[str, Any], enrolments: list[dict[str, Any]]
) -> tuple:
    """The names `school` itself gave (`identity` as `Tracker.identity_of` reads it from the log):
    another school's spelling, or a given name it never sent, is that school's. Enrolments from
    before names were kept have none: the school that registered the pupil (their first) sees the
    registered names, a later one sees none."""
    registered = (identity.get("given_name"), identity.get("family_name"))
    if school is None:
        return registered
    own = [
        (given, family)
        for urn, given, family in identity.get("as_enrolled", ())
        if urn == school and family is not None
    ]
    if own:
        return own[-1]
    return registered if enrolments and enrolments[0]["school_urn"] == school else (None, None)


def year_group(store: ViewStore, upn: str, as_of: date) -> int | None:
    year = AcademicYear.containing(as_of).start_year
    rows = store.query(
        "SELECT from_year, year_group FROM {year_groups} WHERE upn = ? AND from_year <= ? "
        "ORDER BY from_year DESC",
        (upn, year),
    )
    return rows[0][1] + (year - rows[0][0]) if rows else None


def _at(school: str | None) -> tuple[str, tuple]:
    """The clause keeping one school's encounters, or none."""
    return ("", ()) if school is None else (" AND school_urn = ?", (school,))


def encounter_counts(
    store: ViewStore, upn: str, as_of: date, school: str | None = None
) -> dict[str, int]:
    """Counted encounters up to `as_of`, by category, and this academic year's employer encounters;
    with `school`, only those at that school."""
    year, (clause, at) = AcademicYear.containing(as_of).start_year, _at(school)
    counts = {
        category: n
        for category, n in store.query(
            "SELECT category, COUNT(*) FROM {encounters} "
            "WHERE upn = ? AND counts = 1 AND occurred_on <= ?" + clause + " GROUP BY category",
            (upn, as_of, *at),
        )
    }
    this_year = store.query(
        "SELECT COUNT(*) FROM {encounters} WHERE upn = ? AND counts = 1 AND "
        "category = 'employer' AND academic_year = ? AND occurred_on <= ?" + clause,
        (upn, year, as_of, *at),
    )
    return {
        **{c: counts.get(c, 0) for c in ("employer", "workplace", "fe", "he", "guidance")},
        "employer_this_year": this_year[0][0],
    }


def encounters(
    store: ViewStore, upn: str, as_of: date, school: str | None = None
) -> list[dict[str, Any]]:
    """Counted encounters up to `as_of`, oldest first: their date, category and kind, not whose they
    were; with `school`, only those at that school."""
    clause, at = _at(school)
    rows = store.query(
        "SELECT occurred_on, category, kind FROM {encounters} WHERE upn = ? AND counts = 1 AND "
        "occurred_on <= ?" + clause + " ORDER BY occurred_on, category, kind",
        (upn, as_of, *at),
    )
    return [
        {"occurred_on": _iso(on), "category": category, "kind": kind} for on, category, kind in rows
    ]


_TOUCHING = (
    "SELECT * FROM (SELECT position, recorded_at, type, aggregate_id, actor, school_urn "
    "FROM {events} WHERE upn = ? "
    "UNION SELECT e.position, e.recorded_at, e.type, e.aggregate_id, e.actor, e.school_urn "
    "FROM {event_upns} u JOIN {events} e ON e.position = u.position WHERE u.upn = ? "
    "UNION SELECT e.position, e.recorded_at, e.type, e.aggregate_id, e.actor, e.school_urn "
    "FROM {events} e JOIN {encounters} n ON n.source_id = e.aggregate_id WHERE n.upn = ? "
    # A retraction or amendment of an activity the pupil was recorded at: its encounter is gone,
    # but the correction is part of their history.
    "UNION SELECT e.position, e.recorded_at, e.type, e.aggregate_id, e.actor, e.school_urn "
    "FROM {events} e WHERE e.type IN ('Activity.Retracted', 'Activity.Amended') "
    "AND e.aggregate_id IN (SELECT r.aggregate_id FROM {event_upns} u "
    "JOIN {events} r ON r.position = u.position WHERE u.upn = ?)) touching "
    "WHERE position > ?"
)
# The school an event touching the pupil belongs to. The pupil's own events that name none belong to
# the school they were recorded with: registration to the first school enrolling them (saved
# together), a year group change to the school whose enrolment came last before it.
_OWNER = (
    "COALESCE(touching.school_urn, CASE WHEN touching.type = 'Student.Registered' "
    "THEN (SELECT x.school_urn FROM {events} x WHERE x.upn = ? AND x.type = 'Student.Enrolled' "
    "ORDER BY x.position LIMIT 1) "
    "ELSE (SELECT x.school_urn FROM {events} x WHERE x.upn = ? AND x.type = 'Student.Enrolled' "
    "AND x.position <= touching.position ORDER BY x.position DESC LIMIT 1) END)"
)


def timeline(
    store: ViewStore, upn: str, after: int = 0, limit: int = 1000, *, school: str | None
) -> PageOf:
    """Every event touching the pupil, in log order: their record, activities and corrections,
    placements. With `school`, only the events that are that school's own (docs/transfers.md)."""
    mine, params = ("", ()) if school is None else (" AND " + _OWNER + " = ?", (upn, upn, school))
    rows = store.query(
        _TOUCHING + mine + " ORDER BY position LIMIT ?",
        (upn, upn, upn, upn, after, *params, limit + 1),
    )
    keys = ("position", "recorded_at", "type", "aggregate_id", "actor", "school_urn")
    return _page(
        [dict(zip(keys, row, strict=True)) for row in rows],
        limit,
        lambda item: str(item["position"]),
    )


def school_activities(
    store: ViewStore,
    urn: str,
    start: date | None,
    end: date | None,
    kind: str | None,
    after: str | None,
    limit: int,
) -> PageOf:
    """A school's activities by date then id; `after` is the previous page's cursor."""
    clauses, params = ["school_urn = ?"], [urn]
    for clause, value in (
        ("occurred_on >= ?", start),
        ("occurred_on <= ?", end),
        ("kind = ?", kind),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if after:
        after_date, after_id = _activity_cursor(after)
        clauses.append("(occurred_on > ? OR (occurred_on = ? AND id > ?))")
        params += [after_date, after_date, after_id]
    rows = store.query(
        "SELECT id, kind, category, title, occurred_on, counts, meaningful, criteria, "
        "employer_name, provider_name, attendees, retracted_reason, recorded_at "
        f"FROM {{activities}} WHERE {' AND '.join(clauses)} "
        "ORDER BY occurred_on, id LIMIT ?",
        (*params, limit + 1),
    )
    return _page([_activity(row) for row in rows], limit, lambda a: f"{a['occurred_on']}|{a['id']}")


def _activity_cursor(cursor: str) -> tuple[date, str]:
    """`YYYY-MM-DD|id`, as the previous page gave it; anything else is refused, not guessed at."""
    text, _, activity_id = cursor.partition("|")
    try:
        return date.fromisoformat(text), activity_id
    except ValueError:
        raise InvalidValue("after is not a cursor this list gave", "after") from None


def _activity(row: tuple) -> dict[str, Any]:
    keys = (
        "id",
        "kind",
        "category",
        "title",
        "occurred_on",
        "counts",
        "meaningful",
        "criteria",
        "employer_name",
        "provider_name",
        "attendees",
        "retracted_reason",
        "recorded_at",
    )
    item = dict(zip(keys, row, strict=True))
    item.update(
        occurred_on=_iso(item["occurred_on"]),
        counts=bool(item["counts"]),
        meaningful=None if item["meaningful"] is None else bool(item["meaningful"]),
        criteria=json.loads(item["criteria"]) if item["criteria"] else None,
        retracted=item["retracted_reason"] is not None,
    )
    return item


def activity_attendees(store: ViewStore, activity_id: str) -> list[str]:
    return [
        row[0]
        for row in store.query(
            "SELECT upn FROM {encounters} WHERE source_id = ? ORDER BY upn", (activity_id,)
        )
    ]


def audit_events(
    store: ViewStore,
    app: Any,
    after: int,
    limit: int,
    school: str | None = None,
    upn: str | None = None,
    kind: str | None = None,
) -> PageOf:
    """The event log in order, filtered, with each event's data decoded from the store."""
    clauses, params = ["e.position > ?"], [after]
    source = "{events} e"
    if upn:
        source = (
            "(SELECT position FROM {events} WHERE upn = ? UNION SELECT position FROM {event_upns} "
            "WHERE upn = ?) p JOIN {events} e ON e.position = p.position"
        )
        params = [upn, upn, after]
    for clause, value in (("e.school_urn = ?", school), ("e.type = ?", kind)):
        if value:
            clauses.append(clause)
            params.append(value)
    # A person's events name their account id as actor; their name is shown beside it.
    rows = store.query(
        f"SELECT e.position, e.recorded_at, e.type, e.aggregate_id, e.version, e.actor, "
        f"a.name, e.request_id, e.school_urn, e.upn FROM {source} "
        f"LEFT JOIN {{accounts}} a ON a.id = e.actor WHERE {' AND '.join(clauses)} "
        "ORDER BY e.position LIMIT ?",
        (*params, limit + 1),
    )
    keys = (
        "position",
        "recorded_at",
        "type",
        "aggregate",
        "version",
        "actor",
        "actor_name",
        "request_id",
        "school_urn",
        "upn",
    )
    items = [dict(zip(keys, row, strict=True)) for row in rows]
    page = _page(items, limit, lambda item: str(item["position"]))
    _attach_data(app, page.items)
    return page


def _attach_data(app: Any, items: list[dict[str, Any]]) -> None:
    """Each event's own fields, read from the log by position (a page of positions at a time)."""
    if not items:
        return
    wanted = {item["position"]: item for item in items}
    first, last = min(wanted), max(wanted)
    if last - first < 4 * len(wanted):
        notifications = app.recorder.select_notifications(
            start=first, limit=last - first + 1, stop=last
        )
    else:
        notifications = [
            n for p in sorted(wanted) for n in app.recorder.select_notifications(start=p, limit=1)
        ]
    notifications = [notification for notification in notifications if notification.id in wanted]
    # Decoded together: the keys of the pupils among them are read in one query.
    for notification, event in zip(
        notifications, app.mapper.to_domain_events(notifications), strict=True
    ):
        wanted[notification.id]["data"] = _event_data(event)


def _event_data(event: Any) -> dict[str, Any]:
    hidden = {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor",
        "request_id",
    }
    return {key: _plain(value) for key, value in vars(event).items() if key not in hidden}


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def leavers_by(store: ViewStore, last_day: date) -> list[tuple[str, str]]:
    """(UPN, last day on roll) of each pupil not yet erased, on no roll now, who left on or before
    `last_day`."""
    rows = store.query(
        "SELECT e.upn, MAX(e.left_on) FROM {enrolments} e JOIN {pupils} p ON p.upn = e.upn "
        "WHERE p.erased = 0 "
        "GROUP BY e.upn HAVING COUNT(*) = COUNT(e.left_on) AND MAX(e.left_on) <= ? ORDER BY e.upn",
        (last_day,),
    )
    return [(upn, _iso(left_on)) for upn, left_on in rows]


def erased_upns(store: ViewStore) -> list[str]:
    """Every pupil whose identity the log says was erased (or pseudonymised, by older versions)."""
    return [upn for (upn,) in store.query("SELECT upn FROM {pupils} WHERE erased = 1 ORDER BY upn")]
