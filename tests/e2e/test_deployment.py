"""gunicorn as deployed: one SECRET_KEY for every worker (or no start at all), `tracker serve`
keeping its own, and what gunicorn itself refuses answered in the API's JSON error body, over a raw
socket."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import stat
import subprocess
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.cluster import free_port, wait_until_up
from tests.conftest import throwaway_database
from tests.e2e.test_gunicorn import BIN, ROOT
from tracker.application import Tracker

SIGN_INS = 20


def _without_secret_key(**settings: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "SECRET_KEY"}, **settings}


@contextmanager
def running(command: list, environment: dict[str, str], log: Path):
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://{environment['BIND']}"
    try:
        if not wait_until_up(base, 60):
            raise RuntimeError(f"{command[0]} did not start: {log.read_text()[-2000:]}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def postgres_database(postgres_server):
    with throwaway_database(postgres_server) as url:
        yield url


@pytest.fixture(scope="module")
def gunicorn_on_postgres(postgres_database, tmp_path_factory):
    """Two workers with one SECRET_KEY, on PostgreSQL; and an admin token."""
    token, _ = Tracker.from_url(postgres_database).issue_token("admin", "deployment test")
    environment = {
        **os.environ,
        "DATABASE_URL": postgres_database,
        "BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "2",
        "PROJECTIONS": "inline",
        "SECRET_KEY": os.urandom(32).hex(),
    }
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with running([BIN / "gunicorn", "-c", "gunicorn.conf.py"], environment, log) as base:
        yield base, token, log


def browser():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def dashboard_sign_in(base: str, token: str):
    """A fresh browser signs in; the sign-in page, the form's answer and the page it leads to are
    three connections, each to whichever worker takes it. Returns the browser and the page it
    reached."""
    client = browser()
    form = client.open(base + "/dashboard/sign-in", timeout=30).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    try:
        reached = client.open(
            base + "/dashboard/sign-in",
            timeout=30,
            data=urllib.parse.urlencode({"token": token, "csrf": csrf}).encode(),
        )
    except urllib.error.HTTPError as refused:
        return client, refused.code, ""
    return client, reached.status, reached.geturl() + "\n" + reached.read().decode()


def test_twenty_dashboard_sign_ins_in_twenty_succeed_across_gunicorn_workers(gunicorn_on_postgres):
    base, token, _ = gunicorn_on_postgres
    reached = [dashboard_sign_in(base, token)[1:] for _ in range(SIGN_INS)]
    signed_in = [
        status
        for status, page in reached
        if status == 200 and "<h1>Hubs</h1>" in page and page.startswith(base + "/dashboard/\n")
    ]
    assert len(signed_in) == SIGN_INS, reached


def test_gunicorn_refuses_to_start_without_a_secret_key_and_says_why(tmp_path):
    environment = _without_secret_key(
        DATABASE_URL=f"sqlite:///{tmp_path / 'none.sqlite3'}", BIND=f"127.0.0.1:{free_port()}"
    )
    refused = subprocess.run(
        [BIN / "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr and "secrets.token_hex(32)" in refused.stderr
    assert "Booting worker" not in refused.stderr, "it refuses before forking any worker"


def raw(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client library tidying them), and read the answer to the end."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)
    }
    return int(status_line.split()[1]), headers, body


UPN = "V885400112003"
REFUSED_BY_GUNICORN = {
    "a request line too long": (
        414,
        f"GET /api/v1/pupils/{UPN}?pad={'a' * 9000} HTTP/1.1\r\nHost: x\r\n\r\n",
    ),
    "a header too large": (
        431,
        f"GET /api/v1/pupils/{UPN} HTTP/1.1\r\nHost: x\r\nX-Pad: {'a' * 9000}\r\n\r\n",
    ),
    "too many headers": (
        431,
        "GET /healthz HTTP/1.1\r\nHost: x\r\n"
        f"{''.join(f'X-{i}: y{chr(13)}{chr(10)}' for i in range(120))}\r\n",
    ),
    "a malformed request line": (400, f"NOT HTTP AT ALL /api/v1/pupils/{UPN}\r\n\r\n"),
    "a malformed header": (400, "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n"),
}


@pytest.mark.parametrize("what", REFUSED_BY_GUNICORN)
def test_what_gunicorn_refuses_itself_is_answered_in_the_one_json_error_body(
    gunicorn_on_postgres, what
):
    base, _, log = gunicorn_on_postgres
    expected, request = REFUSED_BY_GUNICORN[what]
    status, headers, body = raw(base, request.encode("latin-1"))
    assert status == expected
    assert headers["content-type"] == "application/json" and int(headers["content-length"]) == len(
        body
    )
    assert (
        headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in headers["content-security-policy"]
    )
    answer = json.loads(body)
    assert (
        answer["code"] == expected
        and answer["status"]
        and answer["message"]
        and b"<html" not in body
    )
    assert UPN not in log.read_text(), "a refused request's path is not written to the log"


def test_an_answer_from_the_app_through_gunicorn_carries_the_security_headers(gunicorn_on_postgres):
    base, _, _ = gunicorn_on_postgres
    status, headers, body = raw(
        base, b"POST /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    assert status == 405 and "GET" in headers["allow"] and json.loads(body)["code"] == 405
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"


def test_tracker_serve_makes_one_key_for_its_workers_and_keeps_it_beside_the_store(tmp_path):
    database = tmp_path / "served.sqlite3"
    token, _ = Tracker.from_url(f"sqlite:///{database}").issue_token("admin", "serve test")
    environment = _without_secret_key(
        DATABASE_URL=f"sqlite:///{database}", BIND=f"127.0.0.1:{free_port()}"
    )
    command = [BIN / "tracker", "serve", "--bind", environment["BIND"], "--workers", "2"]
    with running(command, environment, tmp_path / "serve.log") as base:
        reached = [dashboard_sign_in(base, token) for _ in range(SIGN_INS)]
        assert [status for _, status, _ in reached] == [200] * SIGN_INS
        kept = Path(f"{database}-secret-key")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and len(kept.read_text()) == 64
        status, headers, body = raw(
            base, REFUSED_BY_GUNICORN["a request line too long"][1].encode()
        )
        assert status == 414 and json.loads(body)["code"] == 414, (
            "tracker serve runs the same worker"
        )
    signed_in_before = reached[0][0]
    with running(command, environment, tmp_path / "again.log") as base:
        assert (
            signed_in_before.open(base + "/dashboard/", timeout=30).geturl() == base + "/dashboard/"
        ), "a sign-in from before the restart still holds"
