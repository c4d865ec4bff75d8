"""The auditor's view: the event log in order, and a check that the views agree with it."""

from __future__ import annotations

from api import auth, list_items, people_schemas, schemas
from api.accesslog import pupils_shown, reads
from api.routes import PREFIX, Blueprint
from api.services import services
from projections import records
from projections.people import who_could_see_pupils
from projections.rebuild import verify

blp = Blueprint(
    "audit", __name__, url_prefix=f"{PREFIX}/audit", description="The event log, for auditors"
)


@blp.get("/events")
@auth.guard(auth.require_auditor)
@blp.arguments(schemas.AuditArgs, location="query")
@blp.response(200, list_items.EventPage)
def events(args):
    """The event log in order: position, time, type, aggregate, actor and a person's name, data."""
    page = records.audit_events(
        services().store,
        services().tracker,
        args["after"],
        args["limit"],
        args.get("school"),
        args.get("upn"),
        args.get("type"),
    )
    auth.log_pupil_read(*pupils_shown(args.get("upn"), page.items))
    return {"items": page.items, "next": page.next}


@blp.get("/verify")
@auth.guard(auth.require_auditor)
@blp.response(200, schemas.Verification)
def verify_views():
    """Rebuild every view from the log into scratch tables and report any difference."""
    differences = verify(services().tracker, services().store)
    return {"agree": not differences, "differences": [d.__dict__ for d in differences]}


@blp.get("/pupil-reads")
@auth.guard(auth.require_access_log_kind)
@blp.arguments(schemas.PupilReadsArgs, location="query")
@blp.response(200, list_items.PupilReadPage)
def pupil_reads(args):
    """Who read which pupil's identity, when, from where and through what; a school, about a pupil
    it holds."""
    auth.require_access_log_reader(args.get("upn"))
    page = reads(services().store, args.get("upn"), args["after"], args["limit"])
    if auth.scope().kind == "school":  # other people's addresses and request ids are for auditors
        page.items = [{**item, "address": None, "request_id": None} for item in page.items]
    return {"items": page.items, "next": page.next}


@blp.get("/access")
@auth.guard(auth.require_auditor)
@blp.arguments(people_schemas.AccessArgs, location="query")
@blp.response(200, people_schemas.GrantsHeld)
def who_could_see(args):
    """Who could see a school's pupils on a day (their grant, and who gave and withdrew it)."""
    return {"items": who_could_see_pupils(services().store, args["school"], args["on"])}
