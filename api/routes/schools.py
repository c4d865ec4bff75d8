"""Schools: registration, checklist changes, their status, activities and placements."""

from __future__ import annotations

from api import auth, formats, list_items, schemas
from api.routes import PREFIX, Blueprint, after_write, as_seen, found, idempotency_key
from api.services import services
from projections import records, small_numbers
from tracker.calendar import AcademicYear

blp = Blueprint(
    "schools",
    __name__,
    url_prefix=f"{PREFIX}/schools",
    description="Schools and colleges",
    path_formats=formats.CHECKLIST_PATH,
)


@blp.post("")
@auth.guard(auth.require_admin)
@blp.arguments(schemas.SchoolIn)
@blp.response(201, schemas.Written)
def register_school(body):
    """Register a school or college (admin)."""
    return after_write(
        services().tracker.register_school(
            caller=auth.caller(), idempotency_key=idempotency_key(), **body
        )
    )


@blp.put("/<urn>/year-groups")
@auth.guard(auth.require_admin)
@blp.arguments(schemas.YearGroupsIn)
@blp.response(200, schemas.Written)
def set_year_groups(body, urn):
    """Set the year groups a school teaches from an academic year on, e.g. a sixth form opening
    (admin)."""
    return after_write(
        services().tracker.set_year_groups(
            urn,
            body["first_year_group"],
            body["last_year_group"],
            body.get("from_year"),
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
        )
    )


@blp.post("/<urn>/rollover")
@auth.guard(auth.require_school_writer, "urn")
@blp.arguments(schemas.RolloverIn)
@blp.response(200, schemas.RolloverReport)
def roll_over(body, urn):
    """Record the leaving, on 31 August, of the pupils past the school's last year group in `year`
    (with `dry_run`, only say who they are). Run again, it finds nobody and stores nothing."""
    plan = services().tracker.rollover_leavers(urn, body["year"])
    if body["dry_run"]:
        return {**plan.__dict__, "dry_run": True, "position": None}
    written = after_write(
        services().tracker.roll_over(
            urn, body["year"], caller=auth.caller(), idempotency_key=idempotency_key()
        )
    )
    return {
        **plan.__dict__,
        "leavers": (written["id"] or "").split(),
        "dry_run": False,
        "position": written["position"],
    }


@blp.get("/<urn>/metrics/years")
@auth.guard(auth.require_school_reader, "urn")
@blp.arguments(schemas.YearsArgs, location="query")
@blp.response(200, schemas.SchoolYears)
def school_years(args, urn):
    """Year on year: the school's figures at the end of each academic year; each as known at a
    past time when `known_at` is given."""
    since = AcademicYear.parse(args["since"], "since") if args.get("since") else None
    return found(
        services().reads.school_years(
            urn, since, as_seen(small_numbers.school_status), args.get("known_at")
        ),
        f"school {urn}",
    )


@blp.get("/<urn>/destinations")
@auth.guard(auth.require_school_reader, "urn")
@blp.arguments(schemas.DestinationArgs, location="query")
@blp.response(200, schemas.DestinationReport)
def school_destinations(args, urn):
    """Where a cohort's leavers went: counts and shares per destination, the unknown and the not
    followed up; for the school itself (and auditors and admins) each leaver with their next
    follow-up date. As known at a past time when `known_at` is given."""
    found(services().reads.school(urn), f"school {urn}")
    cohort = AcademicYear.parse(args["cohort"], "cohort") if args.get("cohort") else None
    report = services().reads.destinations(
        [urn],
        cohort,
        args.get("as_of"),
        with_leavers=auth.scope().kind != "hub",
        known_at=args.get("known_at"),
    )
    return as_seen(small_numbers.destinations)(report)


@blp.post("/<urn>/benchmarks/<int:benchmark>/criteria/<code>")
@auth.guard(auth.require_school_writer, "urn")
@blp.arguments(schemas.CriterionIn)
@blp.response(200, schemas.Written)
def change_criterion(body, urn, benchmark, code):
    """Mark a Benchmark 1–4 checklist criterion met or unmet, with its evidence."""
    return after_write(
        services().tracker.change_criterion(
            urn,
            benchmark,
            code,
            body["met"],
            body.get("evidence"),
            body.get("changed_on"),
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
        )
    )


@blp.post("/<urn>/activities")
@auth.guard(auth.require_school_writer, "urn")
@blp.arguments(schemas.ActivityIn)
@blp.response(201, schemas.Written)
def record_activity(body, urn):
    """Record one activity on one date, with every pupil who took part."""
    return after_write(
        services().tracker.record_activity(
            urn, caller=auth.caller(), idempotency_key=idempotency_key(), **body
        )
    )


@blp.post("/<urn>/placements")
@auth.guard(auth.require_school_writer, "urn")
@blp.arguments(schemas.PlacementIn)
@blp.response(201, schemas.Written)
def arrange_placement(body, urn):
    """Arrange a work-experience placement for one pupil."""
    return after_write(
        services().tracker.arrange_placement(
            urn, caller=auth.caller(), idempotency_key=idempotency_key(), **body
        )
    )


@blp.get("/<urn>/status")
@auth.guard(auth.require_school_reader, "urn")
@blp.arguments(schemas.SchoolStatusArgs, location="query")
@blp.response(200, schemas.SchoolStatus)
def school_status(args, urn):
    """Per benchmark: measured, met, coverage, score, achieved; and by year group."""
    year = AcademicYear.parse(args["year"]) if args.get("year") else None
    status = found(
        services().reads.school_status(urn, year, args.get("as_of"), args.get("known_at")),
        f"school {urn}",
    )
    return as_seen(small_numbers.school_status)(status)


@blp.get("/<urn>/activities")
@auth.guard(auth.require_school_reader, "urn")
@blp.arguments(schemas.ActivitiesArgs, location="query")
@blp.response(200, list_items.ActivityPage)
def school_activities(args, urn):
    """The school's activities by date, paged with the `next` cursor."""
    found(services().reads.school(urn), f"school {urn}")
    page = records.school_activities(
        services().store,
        urn,
        args.get("start"),
        args.get("end"),
        args.get("kind"),
        args.get("after"),
        args["limit"],
    )
    return {"items": as_seen(small_numbers.activities)(page.items), "next": page.next}


@blp.get("/<urn>")
@auth.guard(auth.require_school_reader, "urn")
@blp.arguments(schemas.Freshness, location="query")
@blp.response(200, schemas.SchoolDetails)
def school(args, urn):
    """The school's registration and its hub today."""
    return found(services().reads.school_details(urn), f"school {urn}")
