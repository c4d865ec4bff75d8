"""The auditor's view: the event log in order, and a check that the views agree with it."""

from __future__ import annotations

from api import auth, schemas
from api.routes import PREFIX, Blueprint, fresh
from api.services import services
from projections import records
from projections.rebuild import verify

blp = Blueprint("audit", __name__, url_prefix=f"{PREFIX}/audit", description="The event log, for auditors")


@blp.get("/events")
@auth.checked(auth.require_auditor)
@blp.arguments(schemas.AuditArgs, location="query")
@blp.response(200, schemas.ListPage)
def events(args):
    """The event log in order: position, recorded_at, type, aggregate, actor, request id, data."""
    fresh(args)
    page = records.audit_events(services().store, services().tracker, args["after"], args["limit"],
                                args.get("school"), args.get("upn"), args.get("type"))
    return {"items": page.items, "next": page.next}


@blp.get("/verify")
@auth.checked(auth.require_auditor)
@blp.response(200, schemas.Verification)
def verify_views():
    """Rebuild every view from the log into scratch tables and report any difference."""
    differences = verify(services().tracker, services().store)
    return {"agree": not differences, "differences": [d.__dict__ for d in differences]}
