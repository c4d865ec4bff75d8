"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

from flask_smorest import Blueprint

from api import schemas
from api.services import services
from projections.answers import attributes

blp = Blueprint("operations", __name__, description="Health of the process and its store")


@blp.route("/healthz")
@blp.response(200, schemas.Health)
def healthz():
    """The process is up."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, schemas.Ready)
def readyz():
    """The store answers; how far the views lag behind the log."""
    return {"status": "ready", **attributes(services().reads.lag())}
