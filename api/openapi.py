"""What the OpenAPI document says of every operation besides its own schemas: the bearer token
(so /api/docs can Authorize), the `Idempotency-Key` header of writes, the error answers with the
one error body (api/errors.py), and the meaning of the parameters many routes share."""

from __future__ import annotations

from apispec import BasePlugin

from api.auth import OPEN_PATHS
from api.formats import IN_ADDRESS

BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "a token from `tracker token create`, sent as `Authorization: Bearer <token>`",
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, **IN_ADDRESS},
    "description": "any text of 1 to 200 characters naming this write: sent again with the same "
    "body, the write is not repeated and the first answer is given again",
}
ERRORS = {
    "401": "no bearer token, or one unknown, expired or revoked",
    "403": "the token's scope does not reach this school, hub or pupil",
    "404": "no such school, hub, pupil, activity or placement",
    "409": "the write clashes with what is recorded (e.g. already registered)",
    "422": "a parameter or field is invalid: `errors` names each",
    "503": "the store is away, or the views not yet at `min_position`: retry shortly",
}
# Parameters several routes share, described once here where their own schema does not.
PARAMETERS = {
    "min_position": "answer only once the views have applied the log up to this position (a "
    "write's `position`), so a client reads its own writes; a 503 says to retry if not soon",
    "as_of": "the date the figures are for (default today)",
    "known_at": "a past time (ISO 8601): the figures as the system knew them then",
    "dates": "further dates to add to the termly snapshots, comma-separated",
    "from": "the first date to list (inclusive)",
    "to": "the last date to list (inclusive)",
    "kind": "only activities of this kind",
    "limit": "at most this many items on the page",
    "after": "the cursor a previous page gave (its `next`), as it gave it",
    "year_group": "only pupils in this year group",
    "sen": "only pupils with (true) or without (false) special educational needs",
    "pupil_premium": "only pupils with (true) or without (false) the pupil premium",
    "activity_id": "the activity's id, as its recording answered",
    "placement_id": "the placement's id, as its arranging answered",
    "type": "only events of this type, e.g. `Activity.Retracted`",
    "q": "part of an organisation's name, matched as names are (case, punctuation, Ltd/Limited, "
    "&/and ignored)",
    "role": "employer or provider",
    "organisation_id": "the organisation's id, as the register gave it",
    "employer_id": "the employer's id in the register, as a hub's employer list gives it",
}
WRITES = ("post", "put", "patch", "delete")


class TrackerDocument(BasePlugin):
    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        spec.components.security_scheme("bearer", BEARER)
        spec.options["security"] = [{"bearer": []}]

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            if method not in ("get", *WRITES):
                continue
            _describe(operation.get("parameters", []))
            if path in OPEN_PATHS:
                operation["security"] = []
                continue
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            operation.setdefault("responses", {}).update(_errors(path, method))

    def path_helper(self, path=None, parameters=None, **kwargs):
        _describe(parameters or [])


def _error(description: str) -> dict:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(path: str, method: str) -> dict:
    codes = ["401", "403", "422", "503"]
    codes += ["404"] if "{" in path else []
    codes += ["409"] if method in WRITES else []
    return {code: _error(ERRORS[code]) for code in sorted(codes)}


def _describe(parameters: list) -> None:
    for parameter in parameters:
        if isinstance(parameter, dict) and "description" not in parameter:
            if parameter.get("name") in PARAMETERS:
                parameter["description"] = PARAMETERS[parameter["name"]]
