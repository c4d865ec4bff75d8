"""The event log as the audit page reads it: newest first, a page at a time in either direction,
filtered as a person types (a type's fragment in any case, a school, a UPN, a range of dates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from projections.records import _attach_data
from projections.store import ViewStore

COLUMNS = ("position", "recorded_at", "type", "aggregate_id", "version", "actor", "request_id")
COLUMNS += ("school_urn", "upn")
# as the API names them; a person's events name their account id as actor, and their name beside
KEYS = (*("aggregate" if name == "aggregate_id" else name for name in COLUMNS), "actor_name")


@dataclass(frozen=True)
class AuditFilter:
    school: str | None = None
    upn: str | None = None
    type_text: str | None = None  # any part of the type, in any case: "retract" finds retractions
    since: date | None = None  # recorded on or after (UTC)
    until: date | None = None  # recorded on or before (UTC)


@dataclass
class AuditPage:
    items: list[dict[str, Any]] = field(default_factory=list)
    older: int | None = None  # `before` for the next page back, if there are older events
    newer: int | None = None  # `after` for the page forward, if there are newer events


def newest_first(
    store: ViewStore,
    app: Any,
    wanted: AuditFilter,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """A page of events, newest first: the newest of all, those just older than `before`, or
    those just newer than `after`; each with its data decoded from the log."""
    clauses, params = _where(wanted)
    forward = after is not None and before is None
    if forward:
        clauses.append("e.position > ?")
        params.append(after)
    elif before is not None:
        clauses.append("e.position < ?")
        params.append(before)
    rows = _select(store, clauses, params, "ASC" if forward else "DESC", limit + 1)
    more = len(rows) > limit
    items = [dict(zip(KEYS, row, strict=True)) for row in rows[:limit]]
    if forward:
        items.reverse()
    page = AuditPage(items)
    if items:
        page.older = items[-1]["position"] if (more or forward) else None
        page.newer = items[0]["position"] if (before is not None or (forward and more)) else None
    _attach_data(app, page.items)
    return page


def _where(wanted: AuditFilter) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if wanted.upn:
        clauses.append(
            "(e.upn = ? OR e.position IN (SELECT position FROM {event_upns} WHERE upn = ?))"
        )
        params += [wanted.upn, wanted.upn]
    if wanted.school:
        clauses.append("e.school_urn = ?")
        params.append(wanted.school)
    if wanted.type_text:
        clauses.append("LOWER(e.type) LIKE ? ESCAPE '!'")
        params.append(f"%{_literal(wanted.type_text.lower())}%")
    if wanted.since:
        clauses.append("e.recorded_at >= ?")
        params.append(wanted.since.isoformat())
    if wanted.until:
        clauses.append("e.recorded_at < ?")
        params.append((wanted.until + timedelta(days=1)).isoformat())
    return clauses, params


def _literal(text: str) -> str:
    """`text` matched as typed: LIKE's own wildcards in it are plain characters."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _select(store: ViewStore, clauses: list[str], params: list[Any], order: str, limit: int):
    where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
    return store.query(
        f"SELECT e.{', e.'.join(COLUMNS)}, a.name FROM {{events}} e "
        f"LEFT JOIN {{accounts}} a ON a.id = e.actor {where}"
        f"ORDER BY e.position {order} LIMIT ?",
        (*params, limit),
    )
