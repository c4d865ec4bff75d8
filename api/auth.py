"""Who is asking through the API: bearer tokens (stored hashed), and each route's check of the
caller's access (api/policy.py), refused with the API's 403."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any, Callable

from flask import Flask, abort, current_app, g, request
from werkzeug.exceptions import TooManyRequests

from api.accesslog import log_read
from api.freshness import catch_up_before_reading
from api.personal_tokens import access_of_token
from api.policy import Access
from api.ratelimit import HOUR, FailedSignIns, RefusedTransfers
from api.services import services
from tracker.domain.base import Caller
from tracker.scopes import Scope


def register(app: Flask) -> None:
    config = app.config
    app.extensions["failed_sign_ins"] = FailedSignIns(_store, config["SIGN_IN_FAILURES_PER_MINUTE"])
    per_hour = config["TRANSFER_ATTEMPTS_PER_HOUR"]
    app.extensions["refused_transfers"] = RefusedTransfers(_store, per_hour, HOUR)
    app.before_request(authenticate)
    app.before_request(catch_up_before_reading)  # after sign-in, before any scope check reads


def _store():
    return services().store


OPEN_PATHS = ("/healthz", "/readyz", "/api/openapi.json", "/favicon.ico")
OPEN_PREFIXES = ("/api/docs", "/dashboard", "/static")  # the dashboard signs in its own way


def _is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def authenticate() -> None:
    """401 for a missing, unknown or revoked token on everything but the open paths."""
    if request.method == "OPTIONS" or _is_open(request.path) or request.path == "/":
        return
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    signed_in = signed_in_with(token) if token else None
    access = access_of_token(signed_in) if signed_in is not None else None
    if access is None:
        abort(401, "a valid bearer token is required")
    g.access = access


def signed_in_with(token: str):
    """The token's record, or None; a wrong token from an address with too many recent failures
    is told to wait (429). A valid token is never refused: behind a proxy every user shares one
    address. So the failures are read only for a wrong token, never on a good sign-in."""
    token_record = services().tracker.token_for(token)
    if token_record is not None:
        return token_record
    failures, address = current_app.extensions["failed_sign_ins"], request.remote_addr or "unknown"
    if (wait := failures.retry_after(address)) is not None:
        raise TooManyRequests(
            "too many failed sign-ins from this address; try again later", retry_after=wait
        )
    failures.failed(address)
    return None


def access() -> Access:
    return g.access


def scope() -> Scope:
    return access().scope


def token_id() -> str:
    return access().token_id


def caller() -> Caller:
    return Caller(access().subject, g.get("request_id", ""))


def guard(check: Callable[..., None], *path_arguments: str) -> Callable:
    """Run `check` on the named path arguments before the body is parsed, so an outsider learns
    nothing from validation: `@guard(require_school_writer, "urn")`."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check(*(kwargs[name] for name in path_arguments))
            return view(*args, **kwargs)

        return guarded

    return decorate


def _allow(allowed: bool, refusal: str) -> None:
    if not allowed:
        abort(403, refusal)


def require_admin() -> None:
    _allow(access().is_admin, "only an admin may do this")


def require_school_writer(urn: str) -> None:
    """Admins and the school's own token; a school token's use cases are confined to its school."""
    _allow(access().may_write_for(urn), "this token may not write for that school")


def require_some_school_writer() -> None:
    """For paths naming an activity or placement: the use case checks the object's school."""
    _allow(access().may_write(), "this token may not write")


def require_school_reader(urn: str) -> None:
    _allow(
        access().may_read_school(urn, query_date("as_of"), services().reads),
        "this token may not read that school",
    )


def query_date(name: str) -> date | None:
    """A date from the query, for a scope check that runs before the schema (which refuses a
    malformed one after it)."""
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def require_attendee_reader(urn: str) -> None:
    """An activity's attendees are pupils: hubs that may read the school are still refused them."""
    require_school_reader(urn)
    _allow(access().may_see_pupils_of(urn), "attendee lists are not shown to hub tokens")


def require_hub_reader(code: str) -> None:
    _allow(access().may_read_hub(code), "this token may not read that hub")


def require_organisation_registrar() -> None:
    _allow(access().may_register_organisations(), "this token may not register organisations")


def require_organisation_merger() -> None:
    _allow(access().may_merge_organisations(), "only admins and hubs may merge organisations")


def require_willing_hosts_reader(code: str) -> None:
    _allow(
        access().may_read_willing_hosts(code, services().reads),
        "only the hub and its schools may read its willing hosts",
    )


def require_pupil_reader(upn: str) -> None:
    _allow(access().may_read_pupil(upn, services().reads), "this token may not read that pupil")


def require_roll_reader(urn: str) -> None:
    _allow(access().may_see_pupils_of(urn), "this token may not read that school's pupils")


def pupil_viewer() -> str | None:
    """The school whose part of a pupil's record the caller sees; None for admins and auditors,
    who see it all."""
    current = access()
    _allow(current.oversees or current.kind == "school", "this token may not read that pupil")
    return current.pupil_viewer


def require_auditor() -> None:
    _allow(access().may_read_event_log(), "only auditors may read the event log")


def require_pupil_holder(upn: str) -> None:
    _allow(
        access().may_export_pupil(upn, services().reads),
        "only the pupil's own school, auditors and admins may export that pupil's record",
    )


def require_access_log_kind() -> None:
    """Before the query is read: hubs never see the access log, whatever they ask."""
    _allow(
        access().may_ask_access_log(),
        "only auditors, or a school asking about a pupil it holds, may read the access log",
    )


def require_access_log_reader(upn: str | None) -> None:
    _allow(
        access().may_read_access_log(upn, services().reads),
        "only auditors, or a school asking about a pupil it holds (upn=), may read the access log",
    )


def log_pupil_read(*upns: str) -> None:
    """Write this request's read of each pupil's identity to the access log (503 if it cannot
    be)."""
    current = access()
    log_read(services().store, upns, current.subject, str(current.scope))
