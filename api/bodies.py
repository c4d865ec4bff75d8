"""What a request body must be before any schema sees it: JSON where JSON is expected, and not
nested beyond reason. Python's JSON parser recurses per level, so a body of ten thousand `[`
would otherwise end in a RecursionError (a 500) instead of a clear refusal."""

from __future__ import annotations

import re

from flask import Flask, abort, request

MAX_DEPTH = 32  # our schemas need three levels; anything deeper is not a mistake but an attack
NOT_JSON = {"pupils.import_csv"}  # endpoints whose body is a file, not JSON
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # brackets inside strings are text, not nesting
_BRACKETS = re.compile(r"[\[\]{}]")


def register(app: Flask) -> None:
    app.before_request(check_body)


def check_body() -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return
    if request.endpoint in NOT_JSON or not request.content_length:
        return  # no body: the schema will say which fields are missing
    if request.mimetype != "application/json":
        abort(415, "send the body as application/json")
    if _depth(request.get_data(cache=True)) > MAX_DEPTH:
        abort(400, f"the JSON body is nested more than {MAX_DEPTH} levels deep")


def _depth(body: bytes) -> int:
    """How deeply the body's arrays and objects nest, without parsing it recursively."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 0  # not ours to judge: the parser refuses it with its own message
    text = _STRINGS.sub('""', text)
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest

