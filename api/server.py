"""gunicorn as we run it: the worker both the container and `tracker serve` use, and `tracker serve`
itself."""

from __future__ import annotations

import json
import os
import ssl
from http import HTTPStatus
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import ThreadWorker

from api.errors import error_body
from api.headers import SECURITY_HEADERS

WORKER_CLASS = "api.server.Worker"


def _refusals() -> tuple[tuple[type, int], ...]:
    """gunicorn's statuses for what it refuses before the app sees it (its `Worker.handle_error`),
    most specific first; some of these errors are newer than the oldest gunicorn we allow."""
    named = (
        ("InvalidResponseHeader", 500),
        ("InvalidResponseHeaderName", 500),
        ("ConfigurationProblem", 500),
        ("LimitRequestLine", 414),
        ("LimitRequestHeaders", 431),
        ("ForbiddenProxyRequest", 403),
        ("UnsupportedTransferCoding", 501),
        ("ExpectationFailed", 417),
        ("ParseException", 400),
    )
    found = tuple(
        (getattr(http_errors, name), code) for name, code in named if hasattr(http_errors, name)
    )
    return found + ((ssl.SSLError, 403),)


REFUSALS = _refusals()
MESSAGES = {
    400: "the request could not be read as HTTP",
    403: "the request was refused",
    414: "the request line (method, path and query) is too long",
    417: "the Expect header asks for something this server does not do",
    431: "the request's headers are too many or too large",
    500: "internal error",
    501: "that Transfer-Encoding is not supported",
}


def refusal_status(error: BaseException) -> int:
    return next((code for kind, code in REFUSALS if isinstance(error, kind)), 500)


def refusal(code: int) -> bytes:
    """A whole HTTP response in the API's one error body, with the app's headers: gunicorn's own is
    an HTML page."""
    body = json.dumps(error_body(code, MESSAGES.get(code, HTTPStatus(code).phrase))).encode()
    headers = {
        "Connection": "close",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **SECURITY_HEADERS,
        "Cache-Control": "no-store",
    }
    head = f"HTTP/1.1 {code} {HTTPStatus(code).phrase}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    return (head + "\r\n").encode("latin-1") + body


class Worker(ThreadWorker):
    """gunicorn's threaded worker, answering what it cannot parse in our JSON error body."""

    def handle_error(self, req, client, addr, exc) -> None:
        code = refusal_status(exc)
        # Only the error's kind is logged: gunicorn's message quotes the request line, which can
        # hold a UPN.
        if code >= 500:
            self.log.error("error handling a request: %s", type(exc).__name__)
        else:
            self.log.warning("refused a request gunicorn could not read: %s", type(exc).__name__)
        try:
            util.write_nonblock(client, refusal(code))
        except OSError:
            self.log.debug("could not send the error answer")


class Server(BaseApplication):
    """gunicorn with settings given in code; the Flask app is still built in each worker."""

    def __init__(self, settings: dict[str, Any]):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self):
        from api import create_app
        from api.warmup import warm

        app = compiled_templates(create_app())
        warm(app)
        return app


def compiled_templates(app):
    """The app with every page's template compiled: done here, before the worker says it serves,
    as a page's first load would otherwise compile its template and those it extends (up to a
    tenth of a second for the hub page). Tests' apps compile only what they render."""
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")):
        app.jinja_env.get_template(name)
    return app


def secret_key(database_url: str) -> str:
    """The environment's SECRET_KEY; else, beside a SQLite store, one made once and kept in a file,
    so dashboard sign-ins survive a restart; else one made for this run (every worker inherits
    it)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    parts = urlsplit(database_url)
    path = unquote(parts.path[1:])
    if parts.scheme != "sqlite" or not path or path == ":memory:":
        return os.urandom(32).hex()
    return _kept_key(Path(f"{path}-secret-key"))


def _kept_key(path: Path) -> str:
    try:
        descriptor = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
        )  # readable by its owner only
    except FileExistsError:
        return path.read_text().strip()
    key = os.urandom(32).hex()
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
    return key


def serve(
    bind: str = "127.0.0.1:8000",
    workers: int = 1,
    threads: int = 4,
    when_serving: Callable[[str], None] | None = None,
) -> None:
    """gunicorn on `bind`; `when_serving` is told the address ("http://host:port") by the first
    worker once its app is loaded, just before it accepts connections."""
    settings = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": WORKER_CLASS,
        "timeout": 60,
        "preload_app": False,
        "accesslog": None,
    }
    if when_serving is not None:
        settings["post_worker_init"] = _first_worker_ready(when_serving)
    Server(settings).run()


def _first_worker_ready(when_serving: Callable[[str], None]) -> Callable[[Any], None]:
    # gunicorn numbers workers by age from 1: a worker started later (a restart) says nothing.
    def post_worker_init(worker) -> None:
        if worker.age == 1:
            when_serving(str(worker.sockets[0]))

    return post_worker_init
