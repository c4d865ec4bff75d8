"""The dashboard's pages on the demo store, through real HTTP: `tracker serve` (gunicorn) on a
local port, signed in as an admin, each page timed on its first load in a freshly started server
and then warm. The goal is every page under 300 ms on the demo.

    python -m cli demo                    # once, into the SQLite file DATABASE_URL names
    python -m bench.pages --url sqlite:////tmp/demo.sqlite3 [--starts 5] [--runs 20]

The store must hold the demo (its WORCS hub); the bench adds one admin token to it.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from bench.cluster import free_port
from bench.machine import describe

ROOT = Path(__file__).resolve().parents[1]
HUB = "WORCS"
GOAL_MS = 300


def pages(urn: str, upn: str) -> dict[str, str]:
    """Each page a Careers Leader, a Hub Lead or an auditor opens, by name; and `/healthz`, the
    baseline from the same run (the server's floor: no template, no query)."""
    return {
        "baseline: /healthz": "/healthz",
        "home": "/dashboard/",
        "school": f"/dashboard/schools/{urn}",
        "roll": f"/dashboard/schools/{urn}/pupils",
        "pupil": f"/dashboard/pupils/{upn}",
        "hub": f"/dashboard/hubs/{HUB}",
        "hub employers": f"/dashboard/hubs/{HUB}/employers",
        "provider access": f"/dashboard/schools/{urn}/provider-access",
        "audit": "/dashboard/audit",
    }


def subjects(url: str) -> tuple[str, str, str]:
    """An admin token, the hub's largest member school and a pupil on its roll: the heaviest
    school and roll pages the demo has."""
    from projections.metrics import hub_members
    from projections.store import view_store_for
    from tracker.application import Tracker

    token, _ = Tracker.from_url(url).issue_token("admin", "bench pages", "made by bench.pages")
    store = view_store_for(url)
    members = set(hub_members(store, HUB, date.today()))
    if not members:
        sys.exit(f"no hub {HUB} in {url}: build the demo first (python -m cli demo)")
    sizes = store.query(
        "SELECT school_urn, COUNT(*) FROM {enrolments} WHERE left_on IS NULL GROUP BY school_urn"
    )
    urn = max((count, school) for school, count in sizes if school in members)[1]
    upn = store.query(
        "SELECT upn FROM {enrolments} WHERE school_urn = ? AND left_on IS NULL ORDER BY upn",
        (urn,),
    )[0][0]
    return token, urn, upn


class Served:
    """`python -m cli serve` on a free port, from the moment it says it serves until stopped."""

    def __init__(self, url: str):
        self.bind = f"127.0.0.1:{free_port()}"
        environment = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--bind", self.bind],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("serving on"):
            self.stop()
            sys.exit(f"tracker serve did not start: {line!r}")
        self.base = f"http://{self.bind}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def signed_in(base: str, token: str) -> urllib.request.OpenerDirector:
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = browser.open(f"{base}/dashboard/sign-in", timeout=60).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"token": token, "csrf": csrf}).encode()
    browser.open(f"{base}/dashboard/sign-in", data=data, timeout=120).read()
    return browser


def timed_get(browser, url: str) -> float:
    began = time.perf_counter()
    with browser.open(url, timeout=120) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    return time.perf_counter() - began


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "n": len(ordered),
    }


def measure(url: str, starts: int, runs: int) -> dict[str, dict]:
    token, urn, upn = subjects(url)
    paths = pages(urn, upn)
    names = list(paths)
    first: dict[str, list[float]] = {name: [] for name in names}
    warm: dict[str, list[float]] = {name: [] for name in names}
    for start in range(starts):
        served = Served(url)
        try:
            browser = signed_in(served.base, token)
            # Each start opens the pages in another order, so no page is always the first one
            # the new process draws (its caches filled by the page before).
            order = names[start % len(names) :] + names[: start % len(names)]
            for name in order:
                first[name].append(timed_get(browser, served.base + paths[name]))
            if start == starts - 1:
                for _ in range(runs):
                    for name in names:
                        warm[name].append(timed_get(browser, served.base + paths[name]))
        finally:
            served.stop()
    return {
        "school": {"urn": urn, "pupil": upn},
        "pages": {
            name: {"first_load": summary(first[name]), "warm": summary(warm[name])}
            for name in names
        },
    }


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--url", required=True, help="the demo's store, e.g. sqlite:////tmp/d")
    options.add_argument("--starts", type=int, default=5, help="servers started: first loads")
    options.add_argument("--runs", type=int, default=20, help="warm loads of each page")
    args = options.parse_args()
    print(describe(None), flush=True)
    results = measure(args.url, args.starts, args.runs)
    print(json.dumps(results, indent=1))
    for name, figures in results["pages"].items():
        first, warm = figures["first_load"], figures["warm"]
        worst = max(first["p95_ms"], warm["p95_ms"])
        print(
            f"| {name} | {first['median_ms']} / {first['p95_ms']} ms | "
            f"{warm['median_ms']} / {warm['p95_ms']} ms | "
            f"{'met' if worst < GOAL_MS else '**not met**'} |"
        )


if __name__ == "__main__":
    main()
