"""What a request must be before any schema sees it: an address without control characters, and
JSON where JSON is expected (with or without a length: chunked bodies too), not nested beyond
reason, holding only text that can be stored. Python's JSON parser recurses per level,
so a body of ten thousand `[` would otherwise end in a RecursionError (a 500), and it refuses
integers of more than 4,300 digits with an error the schema layer does not expect."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, abort, request

from tracker.validation import check_storable

MAX_DEPTH = 32  # our schemas need three levels; anything deeper is not a mistake but an attack
NOT_JSON = {"pupils.import_csv"}  # endpoints whose body is a file, not JSON
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # brackets inside strings are text, not nesting
_BRACKETS = re.compile(r"[\[\]{}]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The schemas read bodies as UTF-8, which has no encoding for a surrogate: one can only arrive as a
# JSON escape, so a body without one needs no walk through its values.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def register(app: Flask) -> None:
    app.before_request(check_address)
    app.before_request(check_body)


def check_body() -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return
    body = _whole_body()
    if request.endpoint in NOT_JSON or not body:
        return  # a file, or no body: the schema will say which fields are missing
    if request.mimetype != "application/json":
        abort(415, "send the body as application/json")
    if _depth(body) > MAX_DEPTH:
        abort(400, f"the JSON body is nested more than {MAX_DEPTH} levels deep")
    try:
        parsed = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return  # malformed: the schema layer names it, with the same body as any invalid request
    except ValueError:  # a number of 5,000 digits, past Python's limit
        abort(400, "the JSON body holds a value that cannot be read (a number too long?)")
    if _ESCAPED_SURROGATE.search(body):
        _check_storable(parsed)


def check_address() -> None:
    """No control characters in the path or query: PostgreSQL text cannot even hold a NUL."""
    if (
        _CONTROL.search(request.path)
        or _CONTROL.search(request.query_string.decode("latin-1"))
        or any(_CONTROL.search(value) for value in request.args.values())
    ):
        abort(400, "the address holds a control character")


def _whole_body() -> bytes:
    """The body, read whether or not it came with a length (a chunked one has none), and refused
    with a 413 past MAX_CONTENT_LENGTH. Werkzeug refuses a length over the limit, but reading a
    stream without one it stops at the limit and hands on what it read: a body cut short, which
    might still parse, or a CSV file missing its last rows."""
    body = request.get_data(cache=True)
    limit = request.max_content_length
    if (
        request.content_length is None
        and limit is not None
        and len(body) >= limit
        and request.environ["wsgi.input"].read(1)
    ):
        abort(413)
    return body


def _check_storable(value: Any, field: str = "") -> None:
    """Every string in a parsed body, keys included, named as the domain names fields
    ("employer.name")."""
    if isinstance(value, str):
        check_storable(field or "_schema", value)
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        if isinstance(key, str):
            check_storable(
                field or "_schema", key
            )  # a bad key is named by where it is, not by itself
        _check_storable(item, f"{field}.{key}" if field else str(key))


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
