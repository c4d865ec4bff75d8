"""A mixed workload for a set time against gunicorn on PostgreSQL with a projection worker, from
this separate process; then the check that every acknowledged write is in the log, none is there
twice, and `tracker verify` finds the views equal to a rebuild. Optionally with a fault injected at
intervals.

    python -m bench.load [--seconds 300] [--clients 8] [--hub demo|small]
                         [--fault none|kill-web|kill-projector|database-away|restart-postgres|
                                  all-at-once|restarts-at-once|chaos]
                         [--every 30] [--seed 1]

`--fault all-at-once` kills a web worker and the projection worker while the database is away, and
starts the projection worker again before the database is back. `--fault restarts-at-once` kills
every web worker and the projection worker and restarts PostgreSQL at the same moment, so their
replacements start against a server that is going down and coming up. `--fault chaos` injects one
of the six, chosen at random, at each interval.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import time
from typing import Callable

from bench.cluster import BIN, Cluster
from bench.databases import ADMIN_URL, throwaway
from bench.http import load as trivial_load
from bench.http import request
from bench.machine import describe
from bench.workload import Client, Setup, Workload, check_log, prepare, setup_for
from tracker.application import Tracker
from tracker.demo import build_demo, establishments

OUTAGE_SECONDS = 5.0
FAULTS = (
    "kill-web",
    "kill-projector",
    "database-away",
    "restart-postgres",
    "all-at-once",
    "restarts-at-once",
)


def demo_setup(app: Tracker) -> Setup:
    """The Worcestershire demo hub (62 schools, ~29.5k pupils); load goes to its 40 hub schools."""
    build_demo(app, ("885",), hub="WORCS", hub_size=40)
    return setup_for(app, "WORCS", [school.urn for school in establishments(("885",))[:40]])


def fault_injector(
    cluster: Cluster, fault: str, every: float, seconds: float, log: list, seed: int = 1
) -> Callable[[], None]:
    """The fault (or, for "chaos", any one of them at random), every `every` seconds while the load
    runs; each one noted with its time."""
    chosen = random.Random(seed)

    def inject() -> None:
        began = time.monotonic()
        while time.monotonic() - began + every < seconds:
            time.sleep(every)
            name = chosen.choice(FAULTS) if fault == "chaos" else fault
            log.append({"at": round(time.monotonic() - began, 1), "fault": name, **apply(name)})

    def apply(name: str) -> dict:
        if name == "kill-web":
            return {"killed_pid": cluster.kill_web_worker()}
        if name == "kill-projector":
            cluster.kill_projector()
            return {}
        if name == "database-away":
            with cluster.database_away():
                time.sleep(OUTAGE_SECONDS)
            return {"away_seconds": OUTAGE_SECONDS}
        if name == "restart-postgres":
            return {"restart_seconds": round(cluster.restart_postgres(), 1)}
        if name == "all-at-once":
            return all_at_once(cluster)
        if name == "restarts-at-once":
            return restarts_at_once(cluster)
        raise ValueError(name)

    return inject


def all_at_once(cluster: Cluster, away_seconds: float = OUTAGE_SECONDS) -> dict:
    """The database away; meanwhile a web worker and the projection worker killed, and the
    projection worker started again while there is still no database for it to start against."""
    with cluster.database_away():
        killed = cluster.kill_web_worker()
        cluster.kill_projector(restart_after=0)
        time.sleep(away_seconds)
    return {"killed_pid": killed, "away_seconds": away_seconds}


def restarts_at_once(cluster: Cluster) -> dict:
    """Everything restarting together: every web worker and the projection worker killed, and
    PostgreSQL restarted while gunicorn and we start their replacements."""
    killed = cluster.web_worker_pids()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    cluster.kill_projector(restart_after=0)
    return {"killed_pids": killed, "restart_seconds": round(cluster.restart_postgres(), 1)}


def wait_for_views(cluster: Cluster, token: str, timeout: float = 120) -> float:
    """Seconds until the projection worker has applied everything written."""
    client, began = Client(cluster.base), time.perf_counter()
    while time.perf_counter() - began < timeout:
        status, ready = client.call("GET", "/readyz", token)
        if status == 200 and ready["events"] == 0:
            return time.perf_counter() - began
        time.sleep(0.2)
    raise RuntimeError("the views did not catch up")


def verify(url: str) -> dict:
    done = subprocess.run(
        [BIN / "tracker", "verify"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    return {"exit_status": done.returncode, "output": done.stdout.strip().splitlines()[-3:]}


def run(url: str, setup: Setup, args) -> dict:
    faults: list = []
    with Cluster(url) as cluster:
        token = setup.tokens["auditor"]
        initial_catch_up = wait_for_views(
            cluster, token, timeout=600
        )  # the set-up's events, before any load
        trivial = trivial_load(
            5, args.clients, lambda n: request(cluster.base, token, "GET", "/healthz")
        )
        workload = Workload(cluster.base, setup)
        injector = (
            None
            if args.fault == "none"
            else fault_injector(cluster, args.fault, args.every, args.seconds, faults, args.seed)
        )
        report = workload.run(args.seconds, args.clients, during=injector)
        catch_up_seconds = wait_for_views(cluster, token)
    app = Tracker.from_url(url)
    return {
        "set_up_projected_in_s": round(initial_catch_up, 1),
        "trivial_healthz_before_load": trivial,
        **report.summary(),
        "faults": faults,
        "views_caught_up_after_s": round(catch_up_seconds, 2),
        "log_check": check_log(app, report),
        "verify": verify(url),
        "events_in_log": app.recorder.max_notification_id(),
    }


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("--seconds", type=float, default=300)
    options.add_argument("--clients", type=int, default=8)
    options.add_argument("--hub", choices=["demo", "small"], default="demo")
    options.add_argument("--fault", default="none", choices=["none", *FAULTS, "chaos"])
    options.add_argument("--every", type=float, default=30, help="seconds between faults")
    options.add_argument(
        "--seed", type=int, default=1, help="which faults chaos chooses, and in what order"
    )
    options.add_argument(
        "--keep", help="an existing PostgreSQL database URL to use and leave in place"
    )
    args = options.parse_args()
    print(describe(ADMIN_URL))
    with throwaway("postgres", args.keep) as url:
        app = Tracker.from_url(url)
        began = time.perf_counter()
        setup = demo_setup(app) if args.hub == "demo" else prepare(app)
        print(
            f"setup: {time.perf_counter() - began:.1f}s, "
            f"{app.recorder.max_notification_id()} events",
            flush=True,
        )
        result = run(url, setup, args)
    print(json.dumps(result, indent=1))
    check = result["log_check"]
    healthy = (
        not any(check.values())
        and result["verify"]["exit_status"] == 0
        and not result["unexpected_answers"]
    )
    print("OK: nothing lost, nothing twice, views equal to a rebuild" if healthy else "FAILED")
    raise SystemExit(0 if healthy else 1)


if __name__ == "__main__":
    main()
