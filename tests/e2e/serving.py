"""The dashboard served for a browser test: gunicorn from `gunicorn.conf.py`, one worker, on a
free local port, over a store the test has built."""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from typing import Iterator

from bench.cluster import free_port, wait_until_up
from tests.e2e.test_gunicorn import BIN, ROOT


def free_bind() -> str:
    return f"127.0.0.1:{free_port()}"


@contextmanager
def served(url: str, secret: str, bind: str | None = None, **settings: str) -> Iterator[str]:
    """The server's address while the block runs; `settings` add to its environment."""
    bind = bind or free_bind()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "BIND": bind,
        "WEB_CONCURRENCY": "1",
        "SECRET_KEY": secret,
        **settings,
    }
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environment,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://{bind}"
    try:
        if not wait_until_up(base):
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
