"""Hubs: registering them, their membership, and their figures."""

from __future__ import annotations

from api import auth, formats, schemas
from api.routes import PREFIX, Blueprint, after_write, as_seen, found, idempotency_key
from api.services import services
from projections import small_numbers
from tracker.calendar import AcademicYear

blp = Blueprint(
    "hubs",
    __name__,
    url_prefix=f"{PREFIX}/hubs",
    description="Careers Hubs",
    path_formats=formats.HUB_PATH,
)


@blp.post("")
@auth.guard(auth.require_admin)
@blp.arguments(schemas.HubIn)
@blp.response(201, schemas.Written)
def register_hub(body):
    """Register a hub (admin)."""
    return after_write(
        services().tracker.register_hub(
            body["code"],
            body["name"],
            body["area"],
            body.get("wave"),
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
        )
    )


@blp.put("/<code>/schools/<urn>")
@auth.guard(auth.require_admin)
@blp.arguments(schemas.JoinIn)
@blp.response(200, schemas.Written)
def join_hub(body, code, urn):
    """Record a school joining the hub on a date (admin)."""
    return after_write(
        services().tracker.join_hub(code, urn, body["joined_on"], caller=auth.caller())
    )


@blp.post("/<code>/schools/<urn>/leave")
@auth.guard(auth.require_admin)
@blp.arguments(schemas.LeaveHubIn)
@blp.response(200, schemas.Written)
def leave_hub(body, code, urn):
    """Record a school leaving the hub; `left_on` is its last day (admin)."""
    return after_write(
        services().tracker.leave_hub(
            code, urn, body["left_on"], caller=auth.caller(), idempotency_key=idempotency_key()
        )
    )


@blp.get("/<code>/metrics")
@auth.guard(auth.require_hub_reader, "code")
@blp.arguments(schemas.Figures, location="query")
@blp.response(200, schemas.HubMetrics)
def hub_metrics(args, code):
    """The hub's figures with national and non-hub beside them, and a row per member school."""
    metrics = found(
        services().reads.hub_metrics(code, args.get("as_of"), args.get("known_at")), f"hub {code}"
    )
    return as_seen(small_numbers.hub_metrics)(metrics)


@blp.get("/<code>/metrics/series")
@auth.guard(auth.require_hub_reader, "code")
@blp.arguments(schemas.SeriesArgs, location="query")
@blp.response(200, schemas.Series)
def hub_series(args, code):
    """The hub's figures at each termly snapshot of an academic year, and at any dates asked; each
    as known at a past time when `known_at` is given."""
    year = AcademicYear.parse(args["year"]) if args.get("year") else None
    return found(
        services().reads.hub_series(
            code,
            year,
            args.get("dates"),
            as_seen(small_numbers.hub_metrics),
            known_at=args.get("known_at"),
        ),
        f"hub {code}",
    )


@blp.get("/<code>/destinations")
@auth.guard(auth.require_hub_reader, "code")
@blp.arguments(schemas.DestinationArgs, location="query")
@blp.response(200, schemas.DestinationReport)
def hub_destinations(args, code):
    """Where the member schools' leavers of a cohort went: counts and shares only, never a pupil;
    the members and their leavers as known at a past time when `known_at` is given."""
    found(services().reads.hub(code, args.get("known_at")), f"hub {code}")
    cohort = AcademicYear.parse(args["cohort"], "cohort") if args.get("cohort") else None
    as_of, known_at = args.get("as_of"), args.get("known_at")
    members = services().reads.hub_members(code, as_of, known_at)
    report = services().reads.destinations(
        members, cohort, as_of, with_leavers=False, known_at=known_at
    )
    return as_seen(small_numbers.destinations)(report)


@blp.get("/<code>/metrics/years")
@auth.guard(auth.require_hub_reader, "code")
@blp.arguments(schemas.YearsArgs, location="query")
@blp.response(200, schemas.HubYears)
def hub_years(args, code):
    """Year on year: the hub's figures at the end of each academic year, national and non-hub
    beside; each as known at a past time when `known_at` is given."""
    since = AcademicYear.parse(args["since"], "since") if args.get("since") else None
    return found(
        services().reads.hub_years(
            code, since, as_seen(small_numbers.hub_metrics), args.get("known_at")
        ),
        f"hub {code}",
    )
