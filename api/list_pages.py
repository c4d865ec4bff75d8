"""Lists to find one's way: the hubs a sign-in may see, with their members and headline figures,
and the schools of a hub (or every school, for admins and auditors), each linked to its figures."""

from __future__ import annotations

from flask import abort, render_template

from api.dashboard import _allow, _as_of, _csrf_token, _known_at, bp, signed_in
from api.routes import as_seen
from api.services import services
from projections import listings, small_numbers


@bp.get("/hubs")
@signed_in
def hubs(access):
    """The hubs the sign-in may see (all for admins and auditors, its own for a Hub Lead), each
    with its member schools and its headline figures on the day asked."""
    as_of, reads = _as_of(), services().reads
    seen = as_seen(small_numbers.hub_metrics, access)
    shown = [hub for hub in listings.all_hubs(services().store) if access.may_read_hub(hub.code)]
    rows = [(hub, seen(reads.hub_metrics(hub.code, as_of))) for hub in shown]
    return render_template("hubs.html", access=access, rows=rows, csrf=_csrf_token())


@bp.get("/hubs/<code>/schools")
@signed_in
def hub_schools(access, code):
    """A hub's member schools on the day asked (as known at `?known_at=`, if given): name, type,
    local authority, and the way to each one's figures (and, for those who may see them, its
    pupils)."""
    _allow(access.may_read_hub(code), "this sign-in may not see that hub")
    hub = services().reads.hub(code, _known_at())
    if hub is None:
        abort(404, f"no hub {code}")
    members = services().reads.hub_members(code, _as_of(), _known_at())
    return _schools_page(access, f"Schools of {hub.name}", members, hub)


@bp.get("/schools")
@signed_in
def all_schools(access):
    """Every registered school, in a hub or not: for admins and auditors."""
    _allow(access.oversees, "only admins and auditors may list every school")
    return _schools_page(access, "Every school", None, None)


def _schools_page(access, title: str, urns: list[str] | None, hub):
    return render_template(
        "schools_list.html",
        access=access,
        title=title,
        hub=hub,
        as_of=_as_of(),
        known_at=_known_at(),  # the members as known then; the links keep it
        schools=listings.schools(services().reads.views(_known_at()), urns),
        csrf=_csrf_token(),
    )
