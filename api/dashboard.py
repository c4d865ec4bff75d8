"""The dashboard: server-rendered pages over the same reads as the API, signed in with a token."""

from __future__ import annotations

import hmac
import secrets
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any, Callable
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import TooManyRequests

from api import labels
from api.accesslog import log_read
from api.auth import query_date, signed_in_with
from api.freshness import reach
from api.people_sessions import current_person, end_person_session
from api.personal_tokens import access_of_token
from api.policy import Access
from api.routes import as_seen
from api.services import services
from projections import records, small_numbers, timeline_words
from tracker.calendar import OUTSIDE_YEARS, AcademicYear, check_in_calendar, in_calendar
from tracker.domain.base import Caller
from tracker.errors import InvalidValue, TrackerError
from tracker.identifiers import is_digits
from tracker.rulesets import ACTIVITY_KINDS

UK_TIME = ZoneInfo("Europe/London")
RECENT_DAYS, RECENT_ACTIVITIES = 120, 200  # what a school page lists, and offers to correct
bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static",
)
labels.register(bp)


def _as_of() -> date | None:
    """The page's chosen date (`?as_of=YYYY-MM-DD`), or today."""
    try:
        day = date.fromisoformat(request.args["as_of"]) if request.args.get("as_of") else None
    except ValueError:
        abort(400, "as_of must be a date like 2019-03-31")
    if day is not None and not in_calendar(day):
        abort(400, f"as_of {OUTSIDE_YEARS}")
    return day


def _known_at() -> datetime | None:
    """`?known_at=` (an ISO time): the figures as the system knew them then.

    The page's time picker sends a time with no offset, typed by someone in England, so it
    is read as UK local time (GMT or BST on that date); the page shows it back in UTC.
    """
    text = request.args.get("known_at", "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        abort(400, "known_at must be a time like 2019-04-01T09:00")
    if not in_calendar(moment):
        abort(400, f"known_at {OUTSIDE_YEARS}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UK_TIME)


def _csrf_token() -> str:
    session.setdefault("csrf", secrets.token_urlsafe(24))
    return session["csrf"]


def _check_csrf() -> None:
    """The form's token must be the session's: a session with none yet (no page drawn since
    signing in) accepts no form, or an empty field would match an empty token."""
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(request.form.get("csrf", ""), expected):
        abort(400, "the form has expired; reload the page and try again")


def _sessions():
    return current_app.extensions["sessions"]


def signed_in(view):
    """The page's access, from the server's record of the session; a revoked or expired token, or a
    session signed out of or past its lifetime, is signed out at once. The views are caught up here,
    once, before the page's scope check reads them."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if (person := current_person()) is not None:  # a person's grants, narrowed to the page's
            reach()
            objects = {name: kwargs[name] for name in ("urn", "code", "upn") if name in kwargs}
            g.access = person.narrowed(services().reads, **objects)  # the request log's actor
            return view(g.access, *args, **kwargs)
        token_id = _sessions().token_id(session.get("session_id", ""))
        token = services().tracker.token_by_id(token_id) if token_id else None
        access = access_of_token(token) if token is not None else None
        if access is None:
            _sessions().end(session.pop("session_id", ""))
            return redirect(url_for("dashboard.sign_in"))
        reach()
        g.access = access
        return view(access, *args, **kwargs)

    return guarded


def _allow(allowed: bool, refusal: str) -> None:
    if not allowed:
        abort(403, refusal)


@bp.get("/sign-in")
def sign_in():
    return render_template("sign_in.html", csrf=_csrf_token(), error=None)


@bp.post("/sign-in")
def sign_in_post():
    _check_csrf()
    try:
        access = signed_in_with(request.form.get("token", "").strip())
    except TooManyRequests as waiting:
        return (
            render_template(
                "sign_in.html",
                csrf=_csrf_token(),
                error="Too many failed sign-ins from here; wait a minute and try again.",
            ),
            429,
            dict(waiting.get_headers()),
        )
    if access is None:
        return render_template(
            "sign_in.html", csrf=_csrf_token(), error="That token is not valid."
        ), 401
    _sessions().end(session.get("session_id", ""))
    session.clear()  # a new session, and a new CSRF token, for every sign-in
    session["session_id"] = _sessions().start(str(access.id))
    return redirect(url_for("dashboard.home"))


@bp.post("/sign-out")
def sign_out():
    _check_csrf()
    _sessions().end(session.get("session_id", ""))
    end_person_session()
    session.clear()
    return redirect(url_for("dashboard.sign_in"))


@bp.get("/")
@signed_in
def home(access):
    if access.scope.hub:
        return redirect(url_for("dashboard.hub", code=access.scope.hub))
    if access.school:
        return redirect(url_for("dashboard.school", urn=access.school))
    hubs = services().store.query("SELECT code, name FROM {hubs} ORDER BY code")
    return render_template("home.html", access=access, hubs=hubs, csrf=_csrf_token())


@bp.get("/schools/<urn>")
@signed_in
def school(access, urn):
    """A school's status by benchmark and year group."""
    return school_page(access, urn)


def school_page(access: Access, urn: str, form=None, status: int = 200):
    """The school page; `form` is the activity form shown again as typed (api/activity_forms.py)."""
    # The API's rule, on the date the page asks for: a hub sees a school only while it is a member.
    _allow(
        access.may_read_school(urn, query_date("as_of"), services().reads),
        "this sign-in may not see that school",
    )
    status_now = services().reads.school_status(urn, as_of=_as_of(), known_at=_known_at())
    if status_now is None:
        abort(404, f"no school {urn}")
    since = status_now.as_of - timedelta(days=RECENT_DAYS)
    activities = records.school_activities(
        services().store, urn, since, None, None, None, RECENT_ACTIVITIES
    ).items
    activities = as_seen(small_numbers.activities, access)(activities)
    page = render_template(
        "school.html",
        access=access,
        s=as_seen(small_numbers.school_status, access)(status_now),
        csrf=_csrf_token(),
        kinds=sorted(ACTIVITY_KINDS),
        can_record=access.may_write_for(urn),
        error=request.args.get("error"),
        done=request.args.get("done"),
        activities=activities,
        since=since.isoformat(),
        form=form,
    )
    return page, status


# How the pages show a withheld figure: as the DfE's tables do.
WITHHELD = {small_numbers.LOW: "low", small_numbers.SECONDARY: "c"}


@bp.app_template_global()
def withheld(item, key: str) -> str | None:
    """ "low" for a small count withheld from a hub, "c" for a figure withheld so it cannot give
    one away. `item` is an answer, or a record's row (a dict)."""
    suppressed = item.get("suppressed") if isinstance(item, dict) else item.suppressed
    why = (suppressed or {}).get(key)
    return WITHHELD[why] if why else None


def _school_form(
    access: Access,
    urn: str,
    write,
    done: str,
    back: tuple[str, dict] | None = None,
    refused: Callable[[str], Any] | None = None,
):
    """A school's form posted: CSRF and scope checked, `write(caller, form_id)` run (the form's
    id is its Idempotency-Key), and back to the school page (or `back`: an endpoint and its
    values) saying what was written. A refusal is `refused(message)` where given: the page again
    with the message beside the form and the values as typed (422), since a redirect would lose
    them; otherwise the message on the page redirected to."""
    _check_csrf()
    _allow(access.may_write_for(urn), "this sign-in may not write for that school")
    endpoint, values = back or ("dashboard.school", {"urn": urn})
    try:
        written = write(
            Caller(access.subject, g.get("request_id", "")), request.form.get("form_id") or None
        )
    except TrackerError as refusal:
        if refused is not None:
            return refused(refusal.message)
        return redirect(url_for(endpoint, **values, error=refusal.message))
    services().catch_up_inline()
    return redirect(url_for(endpoint, **values, done=f"{done} (position {written.position})."))


@bp.get("/pupils/<upn>")
@signed_in
def pupil(access, upn):
    """A pupil's record and timeline: for admins, auditors and schools the pupil is or was at;
    never hubs."""
    _allow(access.may_read_pupil(upn, services().reads), "this sign-in may not see that pupil")
    viewer = access.pupil_viewer
    record = records.pupil(
        services().store,
        upn,
        services().tracker.identity_of,
        services().reads.today(),
        school=viewer,
    )
    if record is None:
        abort(404, f"no pupil {upn}")
    events = records.timeline(services().store, upn, 0, 1000, school=viewer).items
    events = timeline_words.in_words(services().store, events)
    today = services().reads.today()
    benchmarks = services().reads.pupil_benchmarks(upn, today, viewer)
    log_read(services().store, [upn], access.subject, str(access.scope))
    holder = record["current_school"]
    can_correct = holder is not None and access.may_write_for(holder)
    can_erase = (
        access.is_admin
        and not record["erased"]
        and all(  # a leaver, gone before today
            e["left_on"] is not None and e["left_on"] < today.isoformat()
            for e in record["enrolments"]
        )
    )
    return render_template(
        "pupil.html",
        access=access,
        p=record,
        events=events,
        benchmarks=benchmarks,
        csrf=_csrf_token(),
        can_correct=can_correct,
        year=str(AcademicYear.containing(services().reads.today())),
        can_erase=can_erase,
        schools=sorted({e["school_urn"] for e in record["enrolments"]}),
        names=labels.school_names(
            services().store,
            [e["school_urn"] for e in record["enrolments"]] + [e["school_urn"] for e in events],
        ),
        error=request.args.get("error"),
        done=request.args.get("done"),
    )


@bp.post("/pupils/<upn>/year-group")
@signed_in
def correct_year_group(access, upn):
    """Correct the pupil's year group for an academic year: a further record, as the API's is."""
    record = records.pupil(
        services().store, upn, None, services().reads.today(), school=access.pupil_viewer
    )
    urn, form = record and record["current_school"], request.form
    if urn is None and access.is_admin:
        abort(404, f"no pupil {upn} on any school's roll")
    if urn is None:  # to anyone else, as for a pupil of another school: no telling who exists
        abort(403, "this sign-in may not write for that pupil")

    def write(caller, form_id):
        return services().tracker.change_year_group(
            upn,
            _form_year_group(form.get("year_group", "")),
            form.get("year", ""),
            within_school=None if access.is_admin else urn,
            caller=caller,
            idempotency_key=form_id,
        )

    return _school_form(
        access, urn, write, "Year group corrected", back=("dashboard.pupil", {"upn": upn})
    )


@bp.post("/pupils/<upn>/erase")
@signed_in
def erase_pupil(access, upn):
    """Erase a leaver's identity, once the admin has typed the UPN again to confirm: it cannot
    be undone."""
    _check_csrf()
    _allow(access.is_admin, "only an admin may erase a pupil's identity")
    form, back = request.form, {"endpoint": "dashboard.pupil", "upn": upn}
    if form.get("confirm", "").strip().upper() != upn:
        return redirect(
            url_for(**back, error="Nothing was erased: type the pupil's UPN to confirm.")
        )
    try:
        written = services().tracker.erase_pupil(
            upn,
            form.get("requested_by", ""),
            form.get("reason", ""),
            caller=Caller(access.subject, g.get("request_id", "")),
            idempotency_key=form.get("form_id") or None,
        )
    except TrackerError as refused:
        return redirect(url_for(**back, error=refused.message))
    services().catch_up_inline()
    return redirect(url_for(**back, done=f"Identity erased (position {written.position})."))


def _form_date(text: str) -> date:
    try:
        return check_in_calendar("occurred_on", date.fromisoformat(text))
    except ValueError:
        raise InvalidValue("occurred_on must be a date", "occurred_on") from None


def _form_year_group(text: str) -> int:
    if not (is_digits(text) and len(text) <= 2):
        raise InvalidValue("year_group must be a year group such as 9", "year_group")
    return int(text)


def _position(text: str) -> int:
    """A log position from the address."""
    if not text:
        return 0
    if not (is_digits(text) and int(text) <= 2**53):
        abort(400, "after must be a position in the log")
    return int(text)


def favicon():
    """The icon browsers ask for at /favicon.ico on every page, before anyone signs in."""
    return bp.send_static_file("favicon.svg")
