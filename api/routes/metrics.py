"""National figures."""

from __future__ import annotations

from api import auth, schemas
from api.routes import PREFIX, Blueprint, as_seen
from api.services import services
from projections import small_numbers

blp = Blueprint("metrics", __name__, url_prefix=f"{PREFIX}/metrics", description="National figures")


@blp.get("/national")
@blp.arguments(schemas.NationalArgs, location="query")
@blp.response(200, schemas.NationalMetrics)
def national(args):
    """Figures over every registered school, with schools in no hub beside them; as known at a
    past time when `known_at` is given."""
    as_of, known_at = args.get("as_of"), args.get("known_at")
    answer = services().reads.national_metrics(as_of, known_at)
    if auth.scope().kind != "hub":
        return answer
    # Withheld as it is beside the Hub Lead's own figures (as known at the same time), so national
    # less non-hub gives nothing back.
    own = services().reads.hub_metrics(auth.scope().name, as_of, known_at)
    return as_seen(
        lambda national, threshold: small_numbers.national_metrics(national, own, threshold)
    )(answer)
