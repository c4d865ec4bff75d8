"""The README's run command, as it runs: `tracker demo` builds the Worcestershire hub from the
shipped register into a SQLite file, `tracker serve` serves it, and the Hub Lead's page shows
the same headline figures the API gives."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.cluster import free_port, wait_until_up

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow
ACCOUNT_LINE = re.compile(r"^(?:admin|auditor|hub lead|careers leader) account: .*$", re.M)


def tokens_from(output: str) -> dict[str, str]:
    return dict(re.findall(r"^(admin|hub lead) token: (\S+)$", output, re.MULTILINE))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'tracker.sqlite3'}"}
    began = time.monotonic()
    built = subprocess.run(
        [BIN / "tracker", "demo", "--if-empty"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    took = time.monotonic() - began
    again = subprocess.run(
        [BIN / "tracker", "demo", "--if-empty"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    bind = f"127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [BIN / "tracker", "serve", "--bind", bind],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://{bind}"
    try:
        if not wait_until_up(base, 60):
            raise RuntimeError("tracker serve did not start")
        yield {
            "base": base,
            "tokens": tokens_from(built.stdout),
            "output": built.stdout,
            "seconds": took,
            "again": again,
        }
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_demo_builds_the_worcestershire_hub_from_the_register_once(served):
    """How long it takes is measured in docs/performance.md, not asserted here."""
    assert re.search(
        r"demo hub WORCS: 62 schools in the hub and 19 outside it, \d{5} pupils, \d+ activities",
        served["output"],
    )
    assert set(served["tokens"]) == {"admin", "hub lead"}
    again = served["again"].stdout
    assert served["again"].returncode == 0 and "demo hub WORCS" not in again, (
        "--if-empty builds once"
    )
    assert tokens_from(again) == served["tokens"], "and says again how to sign in"


def test_the_served_hub_lead_page_shows_the_demo_hubs_figures(served):
    base, token = served["base"], served["tokens"]["hub lead"]
    request = urllib.request.Request(
        base + "/api/v1/hubs/WORCS/metrics", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        metrics = json.loads(response.read())
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    sign_in = browser.open(base + "/dashboard/sign-in", timeout=30).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', sign_in).group(1)
    form = urllib.parse.urlencode({"token": token, "csrf": csrf}).encode()
    page = (
        browser.open(base + "/dashboard/sign-in", data=form, timeout=60).read().decode()
    )  # follows to the hub
    assert "Worcestershire" in page and metrics["schools"] == 62
    assert metrics["national"]["schools"] == 81 and metrics["non_hub"]["schools"] == 19
    assert f'id="employer">{metrics["every_student_employer_encounters"]}%' in page
    assert f'id="workplace">{metrics["every_student_workplace_experience"]}%' in page


def test_the_demo_prints_one_account_per_role_and_the_careers_leader_signs_in(served):
    accounts = {
        role: (email, password)
        for role, email, password in re.findall(
            r"^(admin|auditor|hub lead|careers leader) account: (\S+) password (\S+)$",
            served["output"],
            re.MULTILINE,
        )
    }
    assert set(accounts) == {"admin", "auditor", "hub lead", "careers leader"}
    again = ACCOUNT_LINE.findall(served["again"].stdout)
    assert again == ACCOUNT_LINE.findall(served["output"]) and len(again) == 4, (
        "--if-empty makes no second set: it prints the first one again"
    )
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    base = served["base"]
    sign_in = browser.open(base + "/dashboard/sign-in", timeout=30).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', sign_in).group(1)
    email, password = accounts["careers leader"]
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf": csrf}).encode()
    with browser.open(base + "/dashboard/sign-in/password", data=form, timeout=60) as page:
        assert "/dashboard/schools/" in page.url and page.status == 200
