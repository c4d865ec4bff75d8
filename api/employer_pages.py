"""The dashboard's employer pages: a hub's employer network, an employer's history, and a school's
provider access report (docs/employers.md), over the same reads as the API."""

from __future__ import annotations

from flask import abort, render_template, request

from api.dashboard import _allow, _as_of, _csrf_token, _known_at, bp, signed_in
from api.downloads import check_extension, download
from api.routes import as_seen
from api.routes.employers import as_known
from api.services import services
from projections import engagement, engagement_privacy, hosts, provider_access
from projections.export_sheets import employers_export
from projections.metrics import hub_members
from tracker.calendar import AcademicYear, default_as_of
from tracker.errors import InvalidValue
from tracker.organisations import SIC_SECTIONS


def _year_and_date() -> tuple[AcademicYear, object]:
    """`?year=` (default: the year of `?as_of=`) and the date (default: as far in as today)."""
    today, as_of = services().reads.today(), _as_of()
    try:
        year = AcademicYear.parse(request.args["year"]) if request.args.get("year") else None
    except InvalidValue as refused:
        abort(400, refused.message)
    if year is None:
        year = AcademicYear.containing(as_of or today)
    return year, as_of or default_as_of(year, today)


@bp.get("/hubs/<code>/employers")
@signed_in
def hub_employers(access, code):
    """The Hub Lead's employer network: reach, a sector chart, employers, gaps, willing hosts; as
    known at `?known_at=` if given."""
    hub, store, schools, figures = _hub_figures(access, code)
    return render_template(
        "hub_employers.html",
        access=access,
        hub=hub,
        e=figures,
        hosts=hosts.willing_hosts(store, schools, figures.as_of),
        sections=SIC_SECTIONS,
        csrf=_csrf_token(),
    )


@bp.get("/hubs/<code>/employers.<extension>")
@signed_in
def hub_employers_download(access, code, extension):
    """The page's employer list to download, as the API's export writes it for this sign-in."""
    _allow(access.may_read_hub(code), "this sign-in may not see that hub")
    check_extension(extension)
    *_, figures = _hub_figures(access, code)
    name = f"{code}-employers-{figures.year.replace('/', '-')}-{figures.as_of.isoformat()}"
    return download(employers_export(figures), extension, name)


def _hub_figures(access, code: str):
    """The hub, the views answering (as known at `?known_at=`, if given), its members on the date
    and its engagement figures as the sign-in may see them."""
    _allow(access.may_read_hub(code), "this sign-in may not see that hub")
    known_at = _known_at()
    hub = services().reads.hub(code, known_at) or abort(404, f"no hub {code}")
    year, as_of = _year_and_date()
    store = services().reads.views(known_at)
    schools = hub_members(store, code, as_of)
    figures = as_known(engagement.engagement(store, schools, year, as_of), known_at)
    return hub, store, schools, as_seen(engagement_privacy.engagement, access)(figures)


@bp.get("/employers/<employer_id>")
@signed_in
def employer(access, employer_id):
    """An employer's encounters by year and school, over the schools the sign-in may read."""
    as_of, known_at = _as_of() or services().reads.today(), _known_at()
    store = services().reads.views(known_at)
    schools = access.schools_seen(lambda hub: hub_members(store, hub, as_of))
    history = engagement.employer_history(store, employer_id, as_of, schools)
    if history is None:
        abort(404, f"no employer {employer_id}")
    shown = as_seen(engagement_privacy.employer_history, access)(as_known(history, known_at))
    return render_template("employer.html", access=access, h=shown, as_of=as_of, csrf=_csrf_token())


@bp.get("/schools/<urn>/provider-access")
@signed_in
def school_provider_access(access, urn):
    """The school's provider access report: each phase's encounters and whether the duty is met."""
    year, as_of = _year_and_date()
    _allow(
        access.may_read_school(urn, as_of, services().reads), "this sign-in may not see that school"
    )
    school = services().reads.school(urn) or abort(404, f"no school {urn}")
    known_at = _known_at()
    report = as_known(
        provider_access.provider_access(services().reads.views(known_at), urn, year, as_of),
        known_at,
    )
    return render_template(
        "provider_access.html",
        access=access,
        school=school,
        r=as_seen(engagement_privacy.provider_access, access)(report),
        csrf=_csrf_token(),
    )
