"""Headers on every answer: what a browser may load, frame, send on, sniff and keep.

The pages load nothing from elsewhere and have no inline script or style (the dashboard's are
files under /dashboard/static; the API docs page starts Swagger UI from a file too, and Swagger
UI sets styles through the DOM, which a policy does not restrict), so one strict policy serves
the pages, the docs and the API's JSON alike; tests/e2e/test_browser.py checks that a browser
reports no violation of it.
"""

from __future__ import annotations

from flask import Flask, request

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
STATIC = ("/api/docs/static/", "/dashboard/static/")


def register(app: Flask) -> None:
    app.after_request(add_headers)


def add_headers(response):
    response.headers.update(SECURITY_HEADERS)
    if not request.path.startswith(STATIC):
        # Pages and answers can name pupils: no browser or proxy cache keeps a copy.
        response.headers["Cache-Control"] = "no-store"
    return response
