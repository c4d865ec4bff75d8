"""Blueprints, one per resource; what every route shares is here."""

from __future__ import annotations

from typing import Any, Callable

import flask_smorest
from flask import abort, current_app, request

from api.services import services
from tracker.commands import Written

PREFIX = "/api/v1"


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's, with each route's argument schema built once, not once a request."""

    def arguments(self, schema: Any, *args: Any, **kwargs: Any):
        # Handed a class, webargs builds the schema for every request, deep-copying its fields and
        # building its nested schemas anew: a tenth of the CPU of recording an activity.
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


def written(result: Written) -> dict[str, Any]:
    return {"id": result.id, "position": result.position}


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 200:
        abort(422, "Idempotency-Key must be 1 to 200 characters")
    return key


def fresh(args: dict[str, Any]) -> None:
    """Bring the views to the request's `min_position` (and, embedded, up to date), or 503."""
    services().catch_up_inline()
    wanted = args.pop("min_position", None)
    if not services().reads.wait_for(wanted, current_app.config["MIN_POSITION_WAIT_SECONDS"]):
        abort(503, f"the views have not reached position {wanted} yet; retry shortly")


def after_write(result: Written) -> dict[str, Any]:
    services().catch_up_inline()
    return written(result)


def found(value: Any, what: str) -> Any:
    if value is None:
        abort(404, f"no {what}")
    return value


def as_seen(withhold: Callable[[Any, int], Any], kind: str | None = None) -> Callable[[Any], Any]:
    """What the caller (of scope `kind`, by default the token's) may see of an answer: for hubs, `withhold`
    with the small-number threshold (projections/small_numbers.py); schools, auditors and admins see exact counts."""
    from api import auth

    if (kind or auth.scope().kind) != "hub":
        return lambda answer: answer
    threshold = current_app.config["SMALL_NUMBER_THRESHOLD"]
    return lambda answer: withhold(answer, threshold)
