"""Who read which pupil's identity: one row per pupil per read, written before the answer goes out.

So a school can answer "who has looked at this child's record", every read of a pupil's identity
(their record, timeline and export; the audit log where it shows pupils; the dashboard's pupil and
audit pages) is written to a table beside the views, shared by every API process. A rebuild of the
views keeps it (projections/tables.py, OPERATIONAL). If the row cannot be written the read is
refused with 503: an identity read that nobody can later see is worse than a read that waits.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Any, Iterable

from flask import g, request
from werkzeug.exceptions import ServiceUnavailable

from api.errors import RETRY_AFTER_SECONDS
from projections.records import PageOf
from projections.store import ViewStore

FIELDS = ("id", "read_at", "upn", "subject", "scope", "address", "what", "request_id")


def _database_errors() -> tuple[type[Exception], ...]:
    """Whatever either database raises when a write does not happen, unavailable or refused."""
    import psycopg
    import psycopg_pool

    return sqlite3.Error, psycopg.Error, psycopg_pool.PoolTimeout


def record(
    store: ViewStore,
    upns: Iterable[str],
    subject: str,
    scope: str,
    address: str | None,
    what: str,
    request_id: str | None,
) -> None:
    """One row per pupil read, in one transaction."""
    read_at = datetime.now(timezone.utc).isoformat()
    rows = [(upn, read_at, subject, scope, address, what, request_id) for upn in sorted(set(upns))]
    if not rows:
        return
    with store.transaction() as cursor:
        store.executemany(
            cursor,
            "INSERT INTO {pupil_reads} (upn, read_at, subject, scope, address, what, "
            "request_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def log_read(store: ViewStore, upns: Iterable[str], subject: str, scope: str) -> None:
    """Record this request's read of each pupil, or refuse the request (503) if that cannot be
    done."""
    what = f"{request.method} {request.url_rule.rule if request.url_rule else request.path}"
    try:
        record(store, upns, subject, scope, request.remote_addr, what, g.get("request_id"))
    except _database_errors():
        raise ServiceUnavailable(
            "the read could not be recorded in the access log, so nothing was shown; retry shortly",
            retry_after=int(RETRY_AFTER_SECONDS),
        ) from None


def reads(store: ViewStore, upn: str | None, after: int, limit: int) -> PageOf:
    """The access log in the order it was written, for one pupil or everyone; `after` is an id."""
    clause, params = ("upn = ? AND id > ?", (upn, after)) if upn else ("id > ?", (after,))
    rows = store.query(
        f"SELECT {', '.join(FIELDS)} FROM {{pupil_reads}} WHERE {clause} ORDER BY id LIMIT ?",
        (*params, limit + 1),
    )
    items: list[dict[str, Any]] = [dict(zip(FIELDS, row, strict=True)) for row in rows[:limit]]
    return PageOf(items, str(items[-1]["id"]) if len(rows) > limit else None)


def pupils_shown(asked_for: str | None, events: list[dict[str, Any]]) -> set[str]:
    """The pupils a page of the audit log shows: the one asked about, and any whose own record's
    events (where names and dates of birth live) are on it."""
    shown = {
        event["upn"] for event in events if event["type"].startswith("Student.") and event["upn"]
    }
    return shown | {asked_for} if asked_for else shown
