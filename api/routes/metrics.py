"""National figures."""

from __future__ import annotations

from flask import abort, request

from api import auth, schemas
from api.routes import PREFIX, Blueprint, as_seen
from api.services import services
from projections import small_numbers

blp = Blueprint("metrics", __name__, url_prefix=f"{PREFIX}/metrics", description="National figures")


@blp.get("/national")
@blp.arguments(schemas.NationalArgs, location="query")
@blp.response(200, schemas.NationalMetrics)
def national(args):
    """Figures over every registered school, with schools in no hub beside them."""
    # Not in the schema, so the document offers no request it refuses; refused, not ignored, when
    # sent.
    if "known_at" in request.args:
        abort(
            422,
            "known_at is answered per school or hub; "
            "ask /hubs/{code}/metrics or /schools/{urn}/status",
        )
    answer = services().reads.national_metrics(args.get("as_of"))
    if auth.scope().kind != "hub":
        return answer
    # Withheld as it is beside the Hub Lead's own figures, so national less non-hub gives nothing
    # back.
    own = services().reads.hub_metrics(auth.scope().name, args.get("as_of"))
    return as_seen(
        lambda national, threshold: small_numbers.national_metrics(national, own, threshold)
    )(answer)
