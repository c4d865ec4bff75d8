"""`tracker serve` says where it serves only once it does: a script that waits for the line can
use the port at once."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.cluster import free_port

ROOT = Path(__file__).resolve().parents[2]


def first_line(process: subprocess.Popen, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            return process.stdout.readline()
        assert process.poll() is None, "tracker serve ended before saying where it serves"
    raise AssertionError(f"tracker serve said nothing in {seconds}s")


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_says_serving_on_once_the_port_answers_healthz(tmp_path, workers):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}",
    }
    serve = ["serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", *serve],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = first_line(server, 60)
        # No retry: the line is the promise that the port answers now.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert answer.status == 200
        assert line == f"serving on http://127.0.0.1:{port} (API docs at /api/docs)\n"
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.stdout.read() == "", "said once, not once a worker"
