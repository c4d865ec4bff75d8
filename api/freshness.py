"""The one point where a read brings the views up to date: after sign-in, before the scope check.

Scope checks read the views too (a pupil enrolled at the caller's `min_position` is theirs, a school
that joined a hub there is the hub's), so a GET or HEAD reaches its `min_position` before anything
reads them, and the route then reads what is there. A write catches up after it is stored
(`api.routes.after_write`), so its answer's position is already in the views.
"""

from __future__ import annotations

from flask import abort, current_app, g, request
from flask_smorest import abort as refuse  # takes field messages, for the one error body
from marshmallow import ValidationError

from api.schemas import Freshness
from api.services import services
from tracker.identifiers import is_digits

RETRY_AFTER = 2  # seconds
_MIN_POSITION = Freshness()  # read as every route's own arguments read it


def catch_up_before_reading() -> None:
    """Before every signed-in API read (a hook that runs after `api.auth.authenticate`)."""
    if request.method in ("GET", "HEAD") and g.get("access") is not None:
        reach(requested_min_position())


def reach(wanted: int | None = None) -> None:
    """Bring the views to `wanted` (and, embedded, up to date): 422 for a position the log has not
    got to, which waiting cannot bring; 503 with Retry-After if the views take too long."""
    services().catch_up_inline()
    reads = services().reads
    if not wanted or reads.position() >= wanted:
        return
    if wanted > (services().tracker.recorder.max_notification_id() or 0):
        beyond = "is beyond the last position in the event log"
        refuse(422, messages={"query": {"min_position": [beyond]}})
    if not reads.wait_for(wanted, current_app.config["MIN_POSITION_WAIT_SECONDS"]):
        abort(
            503,
            f"the views have not reached position {wanted} yet; retry shortly",
            retry_after=RETRY_AFTER,
        )


def requested_min_position() -> int | None:
    """The query's `min_position`, read before the route's schema reads it, for the scope check
    that runs first; a malformed one is left for the schema to refuse."""
    text = request.args.get("min_position")
    if text is None:
        return None
    if is_digits(text) and len(text) <= 16:
        return int(text)  # past the log's end, however large: a 422 before the scope check
    try:  # what else the schema takes ("+5"), read as it reads it
        return _MIN_POSITION.load({"min_position": text})["min_position"]
    except ValidationError:
        return None
