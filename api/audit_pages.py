"""The auditor's page: the event log newest first, paged both ways and filtered as typed, each
event with who, when and why and its data in words; and the figures as known at any time."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request

from api.accesslog import log_read, pupils_shown
from api.dashboard import _allow, _csrf_token, _position, bp, signed_in
from api.services import services
from projections.audit_log import AuditFilter, newest_first
from tracker.calendar import OUTSIDE_YEARS, in_calendar

PAGE = 50
FILTERS = ("type", "school", "upn", "since", "until")


@bp.get("/audit")
@signed_in
def audit(access):
    """The auditor's page: the event log, filtered and paged, each event with who, when and why."""
    _allow(access.may_read_event_log(), "only auditors may read the event log")
    args = request.args
    before, after = _cursor("before"), _cursor("after")
    page = newest_first(services().store, services().tracker, _filter(), before, after, PAGE)
    shown = pupils_shown(_text("upn").upper() or None, page.items)
    log_read(services().store, shown, access.subject, str(access.scope))
    hubs = services().store.query("SELECT code, name FROM {hubs} ORDER BY code")
    kept = {name: args.get(name, "") for name in FILTERS if args.get(name)}
    return render_template(
        "audit.html", access=access, page=page, args=args, kept=kept, hubs=hubs, csrf=_csrf_token()
    )


def _filter() -> AuditFilter:
    return AuditFilter(
        school=_text("school") or None,
        upn=_text("upn").upper() or None,
        type_text=_text("type") or None,
        since=_day("since"),
        until=_day("until"),
    )


def _text(name: str) -> str:
    return request.args.get(name, "").strip()


def _cursor(name: str) -> int | None:
    return _position(request.args[name]) if request.args.get(name) else None


def _day(name: str) -> date | None:
    text = _text(name)
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(400, f"{name} must be a date like 2019-03-31")
    if not in_calendar(day):
        abort(400, f"{name} {OUTSIDE_YEARS}")
    return day
