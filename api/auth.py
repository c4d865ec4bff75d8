"""Who is asking: bearer tokens (stored hashed), their one scope, and checks against each object."""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from flask import Flask, abort, current_app, g, request
from werkzeug.exceptions import TooManyRequests

from api.accesslog import log_read
from api.ratelimit import HOUR, FailedSignIns, RefusedTransfers
from api.routes import reach, requested_min_position
from api.services import services
from tracker.domain.base import Caller



@dataclass(frozen=True)
class Scope:
    kind: str  # admin, auditor, school, hub
    name: str | None
    subject: str

    @classmethod
    def parse(cls, scope: str, subject: str) -> "Scope":
        kind, _, name = scope.partition(":")
        return cls(kind, name or None, subject)

    @property
    def school(self) -> str | None:
        return self.name if self.kind == "school" else None


def checked(check: Callable[..., Any]) -> Callable:
    """Run a scope check before the body is parsed, so an outsider learns nothing from validation."""
    wanted = inspect.signature(check).parameters

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check(**{name: value for name, value in kwargs.items() if name in wanted})
            return view(*args, **kwargs)
        return guarded
    return decorate


def register(app: Flask) -> None:
    app.extensions["failed_sign_ins"] = FailedSignIns(lambda: services().store,
                                                      app.config["SIGN_IN_FAILURES_PER_MINUTE"])
    app.extensions["refused_transfers"] = RefusedTransfers(lambda: services().store,
                                                           app.config["TRANSFER_ATTEMPTS_PER_HOUR"], HOUR)
    app.before_request(authenticate)


def _is_open(path: str) -> bool:
    return path in ("/healthz", "/readyz", "/api/openapi.json") or path.startswith(("/api/docs", "/dashboard", "/static"))


def authenticate() -> None:
    """401 for a missing, unknown or revoked token on everything but the open paths."""
    if request.method == "OPTIONS" or _is_open(request.path) or request.path == "/":
        return
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    access = signed_in_with(token) if token else None
    if access is None:
        abort(401, "a valid bearer token is required")
    g.scope, g.token_id = Scope.parse(access.scope, access.subject), str(access.id)
    if request.method in ("GET", "HEAD"):
        # Scope checks read the views too: a pupil enrolled at the caller's `min_position` is theirs.
        reach(requested_min_position())


def signed_in_with(token: str):
    """The token's access, or None; a wrong token from an address with too many recent failures is
    told to wait (429). A valid token is never refused: behind a proxy every user shares one address."""
    access = services().tracker.token_for(token)
    if access is not None:
        return access
    failures, address = current_app.extensions["failed_sign_ins"], request.remote_addr or "unknown"
    if (wait := failures.retry_after(address)) is not None:
        raise TooManyRequests("too many failed sign-ins from this address; try again later", retry_after=wait)
    failures.failed(address)
    return None


def scope() -> Scope:
    return g.scope


def token_id() -> str:
    return g.token_id


def caller() -> Caller:
    return Caller(scope().subject, g.get("request_id", ""))


def require_admin() -> None:
    if scope().kind != "admin":
        abort(403, "only an admin may do this")


def require_school_writer(urn: str) -> str | None:
    """Admins and the school's own token may write; returns the school a token is confined to."""
    current = scope()
    if current.kind == "admin":
        return None
    if current.kind == "school" and current.name == urn:
        return urn
    abort(403, "this token may not write for that school")


def require_some_school_writer() -> str | None:
    """For paths naming an activity or placement: the use case checks the object's school."""
    current = scope()
    if current.kind in ("admin", "school"):
        return current.school
    abort(403, "this token may not write")


def require_school_reader(urn: str) -> None:
    """Admins, auditors, the school itself, and the hub the school belongs to on the date asked."""
    current = scope()
    as_of = _query_date("as_of")
    if current.kind in ("admin", "auditor") or (current.kind == "school" and current.name == urn):
        return
    if current.kind == "hub" and services().reads.hub_of_school(urn, as_of) == current.name:
        return
    abort(403, "this token may not read that school")


def _query_date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def require_hub_reader(code: str) -> None:
    current = scope()
    if current.kind in ("admin", "auditor") or (current.kind == "hub" and current.name == code):
        return
    abort(403, "this token may not read that hub")


def require_pupil_reader(upn: str) -> None:
    """Pupil records are for admins, auditors, and schools the pupil is or was on roll at; never hubs."""
    current = scope()
    if current.kind in ("admin", "auditor"):
        return
    if current.kind == "school" and current.name in services().reads.pupil_schools(upn):
        return
    abort(403, "this token may not read that pupil")


def require_roll_reader(urn: str) -> None:
    """A school's roll names its pupils: admins, auditors and the school itself; never hubs."""
    current = scope()
    if current.kind in ("admin", "auditor") or (current.kind == "school" and current.name == urn):
        return
    abort(403, "this token may not read that school's pupils")


def pupil_viewer() -> str | None:
    """The school whose part of a pupil's record the caller sees; None for admins and auditors, who see it all."""
    current = scope()
    if current.kind in ("admin", "auditor"):
        return None
    if current.kind == "school":
        return current.name
    abort(403, "this token may not read that pupil")


def require_auditor() -> None:
    if scope().kind not in ("admin", "auditor"):
        abort(403, "only auditors may read the event log")


def holding_school(upn: str) -> str | None:
    """The school the pupil is on roll at, or the last one they were on roll at if they have left."""
    schools = services().reads.pupil_schools(upn)
    return schools[-1] if schools else None


def require_pupil_holder(upn: str) -> None:
    """A pupil's whole record (a subject access export) is for admins, auditors and the holding school."""
    current = scope()
    if current.kind in ("admin", "auditor"):
        return
    if current.kind == "school" and current.name == holding_school(upn):
        return
    abort(403, "only the pupil's own school, auditors and admins may export that pupil's record")


def require_access_log_kind() -> None:
    """Before the query is read: hubs never see the access log, whatever they ask."""
    if scope().kind not in ("admin", "auditor", "school"):
        abort(403, "only auditors, or a school asking about a pupil it holds, may read the access log")


def require_access_log_reader(upn: str | None) -> None:
    """The access log is for admins and auditors, and for a school about the pupils it holds."""
    current = scope()
    if current.kind in ("admin", "auditor"):
        return
    if current.kind == "school" and upn and current.name == holding_school(upn):
        return
    abort(403, "only auditors, or a school asking about a pupil it holds (upn=), may read the access log")


def log_pupil_read(*upns: str) -> None:
    """Write this request's read of each pupil's identity to the access log (503 if it cannot be)."""
    current = scope()
    log_read(services().store, upns, current.subject, _scope_text(current))


def _scope_text(current: Scope) -> str:
    return f"{current.kind}:{current.name}" if current.name else current.kind
