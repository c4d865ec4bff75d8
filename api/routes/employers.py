"""Employer engagement: a hub's, a school's and the nation's figures, and one employer's history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from api import auth, formats
from api import organisation_schemas as schemas
from api.downloads import EXTENSION, check_extension, documented_file, download
from api.routes import PREFIX, Blueprint, as_seen, found
from api.services import services
from projections import engagement, engagement_privacy, hosts
from projections.answers import in_utc
from projections.export_sheets import employers_export
from projections.metrics import hub_members
from projections.store import ViewStore
from tracker.calendar import AcademicYear, default_as_of

blp = Blueprint(
    "employers",
    __name__,
    url_prefix=PREFIX,
    description="Employer engagement",
    path_formats={**formats.ORGANISATION_PATH, "extension": EXTENSION},
)


def year_and_date(args) -> tuple[AcademicYear, date]:
    """The year asked (default: the one `as_of` falls in) and the date (default: as far into the
    year as today is)."""
    today = services().reads.today()
    if args.get("year"):
        year = AcademicYear.parse(args["year"])
        return year, args.get("as_of") or default_as_of(year, today)
    as_of = args.get("as_of") or today
    return AcademicYear.containing(as_of), as_of


def as_known(answer: Any, known_at: datetime | None) -> Any:
    """The answer saying the moment it is as known at, in UTC (as the metrics say theirs)."""
    return replace(answer, known_at=in_utc(known_at)) if known_at else answer


def _figures(store: ViewStore, schools: list[str] | None, args) -> engagement.Engagement:
    year, as_of = year_and_date(args)
    answer = as_known(engagement.engagement(store, schools, year, as_of), args.get("known_at"))
    return as_seen(engagement_privacy.engagement)(answer)


@blp.get("/hubs/<code>/employers")
@auth.guard(auth.require_hub_reader, "code")
@blp.arguments(schemas.EngagementArgs, location="query")
@blp.response(200, schemas.Engagement)
def hub_employers(args, code):
    """The hub's employer network in a year: reach by sector and size, repeat and new employers,
    the school x sector grid (pupil counts withheld from hubs when low); as known at a past time
    when `known_at` is given."""
    return _hub_figures(args, code)


def _hub_figures(args, code: str) -> engagement.Engagement:
    """Over the hub's members on the date, as known at `known_at` like the figures themselves."""
    found(services().reads.hub(code, args.get("known_at")), f"hub {code}")
    _, as_of = year_and_date(args)
    store = services().reads.views(args.get("known_at"))
    return _figures(store, hub_members(store, code, as_of), args)


@blp.get("/hubs/<code>/employers.<extension>")
@auth.guard(auth.require_hub_reader, "code")
@blp.arguments(schemas.EngagementArgs, location="query")
@blp.doc(responses=documented_file("One row per employer engaged"))
def hub_employers_file(args, code, extension):
    """The hub's employers in a year as CSV or XLSX, one a row, as `tracker export-employers`
    writes them: encounters, schools and placements, never a pupil (placements withheld from hubs
    when low)."""
    check_extension(extension)
    figures = _hub_figures(args, code)
    name = f"{code}-employers-{figures.year.replace('/', '-')}-{figures.as_of.isoformat()}"
    return download(employers_export(figures), extension, name)


@blp.get("/schools/<urn>/employers")
@auth.guard(auth.require_school_reader, "urn")
@blp.arguments(schemas.EngagementArgs, location="query")
@blp.response(200, schemas.Engagement)
def school_employers(args, urn):
    """The employers a school worked with in a year."""
    found(services().reads.school(urn), f"school {urn}")
    return _figures(services().reads.views(args.get("known_at")), [urn], args)


@blp.get("/employers")
@blp.arguments(schemas.EngagementArgs, location="query")
@blp.response(200, schemas.Engagement)
def national_employers(args):
    """Employer engagement over every school in a year."""
    return _figures(services().reads.views(args.get("known_at")), None, args)


@blp.get("/employers/<employer_id>")
@blp.arguments(schemas.EngagementArgs, location="query")
@blp.response(200, schemas.EmployerHistory)
def employer(args, employer_id):
    """One employer's encounters by year and school, over the schools the caller may read."""
    as_of, store = (
        args.get("as_of") or services().reads.today(),
        services().reads.views(args.get("known_at")),
    )
    schools = auth.access().schools_seen(lambda hub: hub_members(store, hub, as_of))
    history = found(
        engagement.employer_history(store, employer_id, as_of, schools), f"employer {employer_id}"
    )
    return as_seen(engagement_privacy.employer_history)(as_known(history, args.get("known_at")))


@blp.get("/hubs/<code>/willing-hosts")
@auth.guard(auth.require_willing_hosts_reader, "code")
@blp.arguments(schemas.AsOfArgs, location="query")
@blp.response(200, schemas.Hosts)
def willing_hosts(args, code):
    """Employers whose latest answer on completing a placement at the hub's schools was that they
    would host another student, with their last placement date."""
    found(services().reads.hub(code, args.get("known_at")), f"hub {code}")
    as_of, store = (
        args.get("as_of") or services().reads.today(),
        services().reads.views(args.get("known_at")),
    )
    schools = hub_members(store, code, as_of)
    return {"items": hosts.willing_hosts(store, schools, as_of)}
