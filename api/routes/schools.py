"""Schools: registration, checklist changes, their status, activities and placements."""

from __future__ import annotations

from api import auth, schemas
from api.routes import PREFIX, Blueprint, after_write, as_seen, found, fresh, idempotency_key
from api.services import services
from projections import records, small_numbers
from tracker.calendar import AcademicYear

blp = Blueprint("schools", __name__, url_prefix=f"{PREFIX}/schools", description="Schools and colleges")


@blp.post("")
@auth.checked(auth.require_admin)
@blp.arguments(schemas.SchoolIn)
@blp.response(201, schemas.Written)
def register_school(body):
    """Register a school or college (admin)."""
    return after_write(services().tracker.register_school(
        caller=auth.caller(), idempotency_key=idempotency_key(), **body))


@blp.post("/<urn>/benchmarks/<int:benchmark>/criteria/<code>")
@auth.checked(auth.require_school_writer)
@blp.arguments(schemas.CriterionIn)
@blp.response(200, schemas.Written)
def change_criterion(body, urn, benchmark, code):
    """Mark a Benchmark 1–4 checklist criterion met or unmet, with its evidence."""
    return after_write(services().tracker.change_criterion(
        urn, benchmark, code, body["met"], body.get("evidence"), body.get("changed_on"),
        caller=auth.caller(), idempotency_key=idempotency_key()))


@blp.post("/<urn>/activities")
@auth.checked(auth.require_school_writer)
@blp.arguments(schemas.ActivityIn)
@blp.response(201, schemas.Written)
def record_activity(body, urn):
    """Record one activity on one date, with every pupil who took part."""
    return after_write(services().tracker.record_activity(
        urn, caller=auth.caller(), idempotency_key=idempotency_key(), **body))


@blp.post("/<urn>/placements")
@auth.checked(auth.require_school_writer)
@blp.arguments(schemas.PlacementIn)
@blp.response(201, schemas.Written)
def arrange_placement(body, urn):
    """Arrange a work-experience placement for one pupil."""
    return after_write(services().tracker.arrange_placement(
        urn, caller=auth.caller(), idempotency_key=idempotency_key(), **body))


@blp.get("/<urn>/status")
@auth.checked(auth.require_school_reader)
@blp.arguments(schemas.SchoolStatusArgs, location="query")
@blp.response(200, schemas.SchoolStatus)
def school_status(args, urn):
    """Per benchmark: measured, met, coverage, score, achieved; and by year group."""
    fresh(args)
    year = AcademicYear.parse(args["year"]) if args.get("year") else None
    status = found(services().reads.school_status(urn, year, args.get("as_of"), args.get("known_at")),
                   f"school {urn}")
    return as_seen(small_numbers.school_status)(status)


@blp.get("/<urn>/activities")
@auth.checked(auth.require_school_reader)
@blp.arguments(schemas.ActivitiesArgs, location="query")
@blp.response(200, schemas.ListPage)
def school_activities(args, urn):
    """The school's activities by date, paged with the `next` cursor."""
    fresh(args)
    found(services().reads.school(urn), f"school {urn}")
    page = records.school_activities(services().store, urn, args.get("start"), args.get("end"),
                                     args.get("kind"), args.get("after"), args["limit"])
    return {"items": as_seen(small_numbers.activities)(page.items), "next": page.next}


@blp.get("/<urn>")
@auth.checked(auth.require_school_reader)
@blp.arguments(schemas.Freshness, location="query")
@blp.response(200, schemas.SchoolDetails)
def school(args, urn):
    """The school's registration and its hub today."""
    fresh(args)
    details = found(services().reads.school(urn), f"school {urn}")
    return {**details, "hub": services().reads.hub_of_school(urn)}
