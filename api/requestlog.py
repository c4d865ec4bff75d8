"""Request ids, and one JSON log line per request (route, status, time, actor; never pupil data)."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request

log = logging.getLogger("api.requests")
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def register(app: Flask) -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    app.before_request(start)
    app.after_request(finish)


def start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def finish(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    access = g.get("access")  # set once the caller is known (api/auth.py, api/dashboard.py)
    log.info(
        json.dumps(
            {
                "request_id": g.get("request_id"),
                "method": request.method,
                # The route's rule, not the path: paths and query strings can hold UPNs.
                "route": request.url_rule.rule if request.url_rule else "unmatched",
                "status": response.status_code,
                "ms": round(
                    1000 * (time.perf_counter() - g.get("started", time.perf_counter())), 1
                ),
                "actor": access.subject if access else None,
            }
        )
    )
    return response
