"""Blueprints, one per resource; what every route shares is here."""

from __future__ import annotations

import re
from typing import Any, Callable

import flask_smorest
from flask import abort, current_app, request

from api import auth, formats
from api.policy import Access
from api.services import services
from tracker.commands import Written

PREFIX = "/api/v1"
RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")  # the name in <upn> or <int:benchmark>


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's, with each route's argument schema built once, not once a request, and each
    path argument documented with its format (api/formats.py), `path_formats` adding the blueprint's
    own."""

    def __init__(
        self, *args: Any, path_formats: dict[str, dict[str, Any]] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.path_formats = {**formats.PATH, **(path_formats or {})}

    def route(self, rule: str, *, parameters: list | None = None, **options: Any):
        # Documented only: the rule still matches what it did, and the domain refuses a bad value by
        # name.
        names = RULE_ARGUMENT.findall(rule)
        return super().route(
            rule,
            parameters=[*formats.path_parameters(names, self.path_formats), *(parameters or [])],
            **options,
        )

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


def after_write(result: Written) -> dict[str, Any]:
    services().catch_up_inline()
    return written(result)


def found(value: Any, what: str) -> Any:
    if value is None:
        abort(404, f"no {what}")
    return value


def as_seen(
    withhold: Callable[[Any, int], Any], access: Access | None = None
) -> Callable[[Any], Any]:
    """What the caller (by default the token's) may see of an answer: for hubs, `withhold` with the
    small-number threshold (projections/small_numbers.py); schools, auditors and admins see exact
    counts."""
    if (access or auth.access()).sees_exact_counts:
        return lambda answer: answer
    threshold = current_app.config["SMALL_NUMBER_THRESHOLD"]
    return lambda answer: withhold(answer, threshold)
