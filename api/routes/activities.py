"""Corrections to activities, and a placement's lifecycle: every path checks the object's own
school."""

from __future__ import annotations

from api import auth, schemas
from api.routes import PREFIX, Blueprint, after_write, found, idempotency_key
from api.services import services
from projections import records

blp = Blueprint("activities", __name__, url_prefix=PREFIX, description="Activities and placements")


def _command(name: str, *args, **kwargs):
    use_case = getattr(services().tracker, name)  # the path's check ran: a school's, or an admin's
    return after_write(
        use_case(
            *args,
            within_school=auth.access().school,
            caller=auth.caller(),
            idempotency_key=idempotency_key(),
            **kwargs,
        )
    )


@blp.post("/activities/<activity_id>/attendees")
@auth.guard(auth.require_some_school_writer)
@blp.arguments(schemas.AttendeesIn)
@blp.response(200, schemas.Written)
def change_attendees(body, activity_id):
    """Add and remove attendees."""
    return _command("change_attendees", activity_id, body["add"], body["remove"])


@blp.post("/activities/<activity_id>/amend")
@auth.guard(auth.require_some_school_writer)
@blp.arguments(schemas.AmendIn)
@blp.response(200, schemas.Written)
def amend_activity(body, activity_id):
    """Correct an activity's details, saying why."""
    reason = body.pop("reason", None)
    return _command("amend_activity", activity_id, body, reason)


@blp.post("/activities/<activity_id>/retract")
@auth.guard(auth.require_some_school_writer)
@blp.arguments(schemas.ReasonIn)
@blp.response(200, schemas.Written)
def retract_activity(body, activity_id):
    """Retract an activity recorded in error; it stays in the history."""
    return _command("retract_activity", activity_id, body["reason"])


@blp.get("/activities/<activity_id>")
@blp.arguments(schemas.Freshness, location="query")
@blp.response(200, schemas.ActivityDetails)
def activity(args, activity_id):
    """One activity with its attendees (not for hub tokens)."""
    urn = found(services().reads.activity_school(activity_id), f"activity {activity_id}")
    auth.require_attendee_reader(urn)
    return {
        "id": activity_id,
        "school_urn": urn,
        "attendees": records.activity_attendees(services().store, activity_id),
    }


@blp.post("/placements/<placement_id>/confirm")
@auth.guard(auth.require_some_school_writer)
@blp.arguments(schemas.ConfirmIn)
@blp.response(200, schemas.Written)
def confirm_placement(body, placement_id):
    """Confirm a placement once safeguarding and risk assessment are done."""
    return _command("confirm_placement", placement_id, body["checks"])


@blp.post("/placements/<placement_id>/complete")
@auth.guard(auth.require_some_school_writer)
@blp.arguments(schemas.CompleteIn)
@blp.response(200, schemas.Written)
def complete_placement(body, placement_id):
    """Record a placement completed: it counts towards Benchmark 6 from that date. `would_host`
    is the employer's answer to hosting another student (yes, no, not_asked)."""
    # Passed only when given, so a retry of a request made before the question keeps its key.
    answer = {"would_host": body["would_host"]} if "would_host" in body else {}
    return _command(
        "complete_placement", placement_id, body["completed_on"], body["hours"], **answer
    )


@blp.post("/placements/<placement_id>/cancel")
@auth.guard(auth.require_some_school_writer)
@blp.arguments(schemas.ReasonIn)
@blp.response(200, schemas.Written)
def cancel_placement(body, placement_id):
    """Cancel a placement, saying why."""
    return _command("cancel_placement", placement_id, body["reason"])
