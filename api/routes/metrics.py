"""National figures."""

from __future__ import annotations

from api import schemas
from api.routes import PREFIX, Blueprint, fresh
from api.services import services

blp = Blueprint("metrics", __name__, url_prefix=f"{PREFIX}/metrics", description="National figures")


@blp.get("/national")
@blp.arguments(schemas.Figures, location="query")
@blp.response(200, schemas.NationalMetrics)
def national(args):
    """Figures over every registered school, with schools in no hub beside them."""
    fresh(args)
    if args.get("known_at"):
        from flask import abort

        abort(422, "known_at is answered per school or hub; ask /hubs/{code}/metrics or /schools/{urn}/status")
    return services().reads.national_metrics(args.get("as_of"))
