"""Pupils: enrolment (by hand or from an MIS export), leaving, year groups, their record."""

from __future__ import annotations

from typing import Callable

from flask import Response, abort, current_app, render_template, request

from api import auth, list_items, schemas
from api.routes import PREFIX, Blueprint, after_write, found, idempotency_key
from api.services import services
from projections import records
from projections.pupil_status import RollFilter
from projections.subject_access import subject_access
from tracker.commands import Written
from tracker.errors import EnrolmentRefused, InvalidValue, TooManyAttempts
from tracker.imports import import_pupils

blp = Blueprint("pupils", __name__, url_prefix=PREFIX, description="Pupils and their records")


@blp.post("/schools/<urn>/pupils")
@auth.guard(auth.require_school_writer, "urn")
@blp.arguments(schemas.PupilIn)
@blp.response(201, schemas.Written)
def enrol_pupil(body, urn):
    """Enrol a pupil at the school (their identity is kept only in their own record)."""
    return after_write(_enrol(urn, caller=auth.caller(), idempotency_key=idempotency_key(), **body))


def _enrol(urn: str, upn: str, **pupil) -> Written:
    return limited_enrol(auth.token_id() if auth.scope().kind == "school" else None)(
        urn, upn, **pupil
    )


def limited_enrol(token: str | None) -> Callable[..., Written]:
    """Enrolment counting a school token's refused enrolments of pupils registered elsewhere: past
    the limit those wait, matching or not (docs/transfers.md). An admin (`token` None) reads every
    record anyway. The refusals are read only for a pupil registered elsewhere, the one enrolment
    the limit can hold back."""
    tracker, refusals = services().tracker, current_app.extensions["refused_transfers"]

    def enrol(urn: str, upn: str, **pupil) -> Written:
        if token and _registered_elsewhere(urn, upn):
            if (wait := refusals.retry_after(token)) is not None:
                raise TooManyAttempts(wait)
        try:
            return tracker.enrol_pupil(urn, upn, **pupil)
        except EnrolmentRefused:
            if token:
                refusals.failed(token)
            raise

    return enrol


def _registered_elsewhere(urn: str, upn: str) -> bool:
    try:
        return services().tracker.registered_elsewhere(urn, upn)
    except InvalidValue:  # left for the use case to refuse, in its own words
        return False


@blp.post("/schools/<urn>/pupils/import")
@auth.guard(auth.require_school_writer, "urn")
@blp.arguments(schemas.ImportArgs, location="query")
@blp.doc(requestBody={"content": {"text/csv": {"schema": {"type": "string"}}}})
@blp.response(200, schemas.Report)
def import_csv(args, urn):
    """Enrol pupils from CSV; each refused row is reported with its line and reasons."""
    if request.mimetype not in ("text/csv", "text/plain", "application/octet-stream"):
        abort(415, "send the file as text/csv")
    found(services().tracker.school_exists(urn) or None, f"school {urn}")
    report = import_pupils(
        services().tracker,
        urn,
        request.get_data(),
        caller=auth.caller(),
        exported_on=args.get("exported_on"),
        enrol=_enrol,
        full_roll=args["full_roll"],
        dry_run=args["dry_run"],
        apply_good_rows=args["apply_good_rows"],
    )
    services().catch_up_inline()
    return report.__dict__


@blp.post("/schools/<urn>/pupils/<upn>/leave")
@auth.guard(auth.require_school_writer, "urn")
@blp.arguments(schemas.PupilLeaveIn)
@blp.response(200, schemas.Written)
def record_leaving(body, urn, upn):
    """Record the pupil's last day at the school, and where they went."""
    return after_write(
        services().tracker.record_leaving(
            urn,
            upn,
            body["left_on"],
            body.get("destination"),
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
        )
    )


@blp.post("/schools/<urn>/pupils/<upn>/destination")
@auth.guard(auth.require_school_writer, "urn")
@blp.arguments(schemas.DestinationIn)
@blp.response(200, schemas.Written)
def record_destination(body, urn, upn):
    """Record where a leaver of the school went, as learnt later (follow-ups for three years)."""
    return after_write(
        services().tracker.record_destination(
            urn,
            upn,
            body["destination"],
            body.get("recorded_on"),
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
        )
    )


@blp.post("/pupils/<upn>/year-group")
@auth.guard(auth.require_some_school_writer)
@blp.arguments(schemas.YearGroupIn)
@blp.response(200, schemas.Written)
def change_year_group(body, upn):
    """Correct the pupil's year group for an academic year."""
    return after_write(
        services().tracker.change_year_group(
            upn,
            body["year_group"],
            body["year"],
            within_school=auth.access().school,
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
        )
    )


@blp.get("/pupils/<upn>")
@auth.guard(auth.require_pupil_reader, "upn")
@blp.arguments(schemas.PupilArgs, location="query")
@blp.response(200, schemas.Pupil)
def pupil(args, upn):
    """Where the pupil is, their year group, counts, benchmark status, and who they are: a school
    sees its own part of the record."""
    as_of, viewer = args.get("as_of") or services().reads.today(), auth.pupil_viewer()
    known_at, reads = args.get("known_at"), services().reads
    record = found(
        reads.pupil(upn, services().tracker.identity_of, as_of, viewer, known_at),
        f"pupil {upn}" + (" as known at that time" if known_at else ""),
    )
    auth.log_pupil_read(upn)
    return {**record, "benchmarks": reads.pupil_benchmarks(upn, as_of, viewer, known_at)}


@blp.get("/schools/<urn>/pupils")
@auth.guard(auth.require_roll_reader, "urn")
@blp.arguments(schemas.RollArgs, location="query")
@blp.response(200, schemas.Roll)
def roll(args, urn):
    """The school's roll on a date, paged, each pupil with their benchmark status: filter by year
    group, SEN, pupil premium, and a benchmark not yet met ("Year 10 with no employer encounter this
    year")."""
    wanted = RollFilter(
        args.get("year_group"),
        args.get("group"),
        args.get("not_met"),
        args.get("sen"),
        args.get("pupil_premium"),
    )
    page = found(
        services().reads.roll(
            urn, args.get("as_of"), wanted, args.get("after"), args["limit"], args.get("known_at")
        ),
        f"school {urn}",
    )
    auth.log_pupil_read(*(item["upn"] for item in page["items"]))
    return page


@blp.get("/pupils/<upn>/timeline")
@auth.guard(auth.require_pupil_reader, "upn")
@blp.arguments(schemas.TimelineArgs, location="query")
@blp.response(200, list_items.TimelinePage)
def timeline(args, upn):
    """Every activity, placement and correction touching the pupil, in log order, paged."""
    page = records.timeline(
        services().store, upn, args["after"], args["limit"], school=auth.pupil_viewer()
    )
    auth.log_pupil_read(upn)
    return {"items": page.items, "next": page.next}


NOT_STORED = {
    "Cache-Control": "no-store"
}  # a pupil's whole record stays out of every cache on the way


@blp.get("/pupils/<upn>/export")
@auth.guard(auth.require_pupil_holder, "upn")
@blp.arguments(schemas.ExportArgs, location="query")
@blp.response(200, schemas.SubjectAccess)
@blp.doc(
    responses={
        "200": {
            "description": "the pupil's whole record",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/SubjectAccess"}},
                "text/html": {"schema": {"type": "string"}},
            },
        }
    }
)
def export(args, upn):
    """Everything held about the pupil, for a subject access request: JSON, or a printable page
    (format=html)."""
    record = found(
        subject_access(
            services().store,
            services().tracker,
            upn,
            services().reads.today(),
            school=auth.pupil_viewer(),
        ),
        f"pupil {upn}",
    )
    auth.log_pupil_read(upn)
    if args.get("format", "json" if _prefers_json() else "html") == "html":
        return Response(
            render_template("subject_access.html", r=record),
            mimetype="text/html",
            headers=NOT_STORED,
        )
    return record, 200, NOT_STORED


def _prefers_json() -> bool:
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html"


@blp.post("/pupils/<upn>/erase")
@auth.guard(auth.require_admin)
@blp.arguments(schemas.EraseIn)
@blp.response(200, schemas.Written)
def erase_pupil(body, upn):
    """Erase a leaver's name and date of birth for good, at a school's request (admins only); counts
    stay."""
    return after_write(
        services().tracker.erase_pupil(
            upn,
            body["requested_by"],
            body["reason"],
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
        )
    )
