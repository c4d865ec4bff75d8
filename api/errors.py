"""The one place errors become responses: one body shape, the right status, never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from adapters import unavailable_errors
from projections.runner import ViewsAheadOfLog, ViewsOutOfDate
from tracker.errors import Conflict, Forbidden, NotFound, TooManyAttempts, TrackerError

log = logging.getLogger("api.errors")
RETRY_AFTER_SECONDS = "2"


def error_body(
    code: int, message: str, fields: dict[str, list[str]] | None = None, location: str = "json"
) -> dict:
    """The one error body, also written by the gunicorn worker for what never reaches Flask."""
    payload = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if fields:
        payload["errors"] = {location: fields}
    return payload


def error_response(
    code: int, message: str, fields: dict[str, list[str]] | None = None, location: str = "json"
):
    if _for_a_person():
        page = render_template("error.html", status=HTTPStatus(code).phrase, message=message)
        return make_response(page, code)
    response = jsonify(error_body(code, message, fields, location))
    response.status_code = code
    return response


def _for_a_person() -> bool:
    """A browser on a dashboard page gets a page; the API, and any client that does not ask for
    HTML before JSON, keeps the one JSON error body."""
    wanted = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/dashboard") and wanted == "text/html"


def _status_of(error: TrackerError) -> int:
    for kind, code in ((Forbidden, 403), (NotFound, 404), (Conflict, 409), (TooManyAttempts, 429)):
        if isinstance(error, kind):
            return code
    return 422


def tracker_error(error: TrackerError):
    response = error_response(_status_of(error), error.message, error.errors)
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def http_error(error: HTTPException):
    # webargs puts marshmallow's messages on the exception as `data["messages"]`.
    messages = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
    if messages:
        location, fields = next(iter(messages.items()))
        if not isinstance(fields, dict):  # e.g. a body that is not JSON at all
            fields = {"_schema": list(fields) if isinstance(fields, list) else [str(fields)]}
        return error_response(error.code, "invalid request", fields, location)
    response = error_response(error.code or 500, error.description or "")
    # The error's own headers, such as Allow on a 405 and Retry-After on a 429, go with our body.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def store_unavailable(error: Exception):
    log.warning("store unavailable: %s", type(error).__name__)
    response = error_response(503, "the store is unavailable; nothing was written; retry shortly")
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def views_refused(error: Exception):
    """Views this process may not bring up to date (made by another version, or from another
    store)."""
    log.error("views refused: %s", error)
    return error_response(503, f"the figures cannot be brought up to date: {error}")


def unexpected(error: Exception):
    log.exception("unhandled error")
    return error_response(500, "internal error")


def register(app: Flask) -> None:
    app.register_error_handler(TrackerError, tracker_error)
    app.register_error_handler(HTTPException, http_error)
    for unavailable in unavailable_errors():
        app.register_error_handler(unavailable, store_unavailable)
    for refused in (ViewsOutOfDate, ViewsAheadOfLog):
        app.register_error_handler(refused, views_refused)
    app.register_error_handler(
        InternalServerError, lambda e: unexpected(getattr(e, "original_exception", e))
    )
