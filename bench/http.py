"""HTTP under load: gunicorn (2 workers x 4 threads) on PostgreSQL with a projection worker, all on
this machine, driven from this separate process.

The write path, open-loop (requests sent on a schedule, latency from the scheduled time): recording
a 30-pupil activity at a sustained 50 requests/s, the highest rate held with p99 <= 250 ms (the
rate stepped up), a read with `min_position` after each write (read-your-writes), and beside them
the same row written by a minimal Flask + psycopg route in the same gunicorn
(bench/reference_app.py), the physical reference (bench/http_writes.py). Then, closed-loop
(clients as fast as answers come), each endpoint beside a trivial one in the same gunicorn, and
the CPU each request cost.

    python -m bench.http [--seconds 15] [--clients 8] [--step-seconds 10] [--sustained-seconds 20]
                         [--template db_with_the_demo]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg

from bench import http_writes
from bench.cluster import wait_until_up
from bench.databases import ADMIN_URL, throwaway
from bench.machine import cpu_seconds_by_process, describe
from bench.queries import percentiles
from projections.runner import wait_for_position
from projections.store import view_store_for
from tracker.application import Tracker
from tracker.demo import build_demo

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TODAY = date.today()


def request(base: str, token: str, method: str, path: str, body=None) -> int:
    return answer(base, token, method, path, body)[0]


def answer(base: str, token: str, method: str, path: str, body=None) -> tuple[int, bytes]:
    """The status and body of one request, on a connection of its own."""
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(call, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def load(seconds: float, clients: int, make_call) -> dict:
    """`clients` threads calling as fast as answers come, for `seconds`."""
    samples, statuses, stop = [], {}, time.monotonic() + seconds
    counter, lock = itertools.count(), threading.Lock()

    def client() -> None:
        while time.monotonic() < stop:
            began = time.perf_counter()
            status = make_call(next(counter))
            with lock:
                samples.append(time.perf_counter() - began)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests_per_s": round(len(samples) / (time.perf_counter() - began), 1),
        **percentiles(samples),
        "statuses": statuses,
    }


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--seconds", type=float, default=15, help="each closed-loop phase")
    options.add_argument("--clients", type=int, default=8, help="closed-loop clients")
    options.add_argument("--sustained-seconds", type=float, default=20)
    options.add_argument("--step-seconds", type=float, default=10)
    options.add_argument("--template", help="a database holding the demo, copied for the run")
    options.add_argument(
        "--worker-gather", type=float, help="the projection worker's --gather (default: its own)"
    )
    args = options.parse_args()
    print(describe(ADMIN_URL))
    gather = () if args.worker_gather is None else ("--gather", str(args.worker_gather))
    with serving(template=args.template, worker_options=gather) as served:
        print(json.dumps(run(*served, args), indent=1))


@contextmanager
def serving(server_log=subprocess.DEVNULL, template: str | None = None, worker_options: tuple = ()):
    """The demo in a throwaway database, served by gunicorn (2 workers x 4 threads) with a
    projection worker beside it: yields the address, an admin token, the application, the views
    and the two processes' ids. `server_log` takes gunicorn's stderr (the request log); `template`
    names a database holding the demo already, to copy instead of building it (minutes);
    `worker_options` go to the projection worker's command."""
    with throwaway("postgres", template=template) as url:
        app = Tracker.from_url(url)
        if not template:
            build_demo(app, ("885",), hub="WORCS", hub_size=40)
        token, _ = app.issue_token("admin", "bench")
        views = view_store_for(url)
        views.create_tables()  # before the worker does: the first phase's wait reads them at once
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(http_writes.REFERENCE_CREATE)
        environment = {
            **os.environ,
            "PYTHONPATH": str(ROOT),  # this tree's code, whatever the console scripts point at
            "DATABASE_URL": url,
            "BIND": "127.0.0.1:8799",
            "WEB_CONCURRENCY": "2",
            "THREADS": "4",
            "PROJECTIONS": "worker",
            "SECRET_KEY": os.urandom(32).hex(),
        }
        server = subprocess.Popen(
            [BIN / "gunicorn", "-c", "gunicorn.conf.py", "bench.reference_app:app"],
            cwd=ROOT,
            env=environment,
            stderr=server_log,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "cli", "project", "--poll", "0.5", *worker_options],
            cwd=ROOT,
            env=environment,
        )
        base = "http://127.0.0.1:8799"
        try:
            if not wait_until_up(base):
                raise RuntimeError("gunicorn did not start")
            processes = {"gunicorn": server.pid, "projection_worker": worker.pid}
            yield base, token, app, views, processes
        finally:
            for process in (server, worker):
                process.terminate()
                process.wait(timeout=20)


def caught_up(app: Tracker, views, timeout: float = 300) -> None:
    if not wait_for_position(views, app.recorder.max_notification_id() or 0, timeout):
        raise RuntimeError("the projection worker did not catch up")


def where_cpu_went(
    before: dict, after: dict, requests: int, processes: dict[str, int]
) -> dict[str, float]:
    """Milliseconds of CPU per request over a phase: gunicorn (its arbiter and workers), the
    projection worker, every PostgreSQL process (so run on an otherwise idle server), and this
    client."""
    spent = dict.fromkeys(("gunicorn", "projection_worker", "postgresql", "client"), 0.0)
    for pid, (parent, command, seconds) in after.items():
        if processes["gunicorn"] in (pid, parent):
            group = "gunicorn"
        elif pid == processes["projection_worker"]:
            group = "projection_worker"
        elif command.startswith("postgres"):
            group = "postgresql"
        elif pid == os.getpid():
            group = "client"
        else:
            continue
        spent[group] += (
            seconds - before.get(pid, (0, "", 0.0))[2]
        )  # a process begun since counts from 0
    return {group: round(1000 * seconds / max(requests, 1), 2) for group, seconds in spent.items()}


def run(base: str, token: str, app: Tracker, views, processes: dict[str, int], args) -> dict:
    on_roll = app._roll(http_writes.URN).on_roll(TODAY)  # a pupil who has left is refused (422)
    between = lambda: caught_up(app, views)  # noqa: E731
    send = lambda method, path, body=None: answer(base, token, method, path, body)  # noqa: E731
    results = {"pupils_on_roll": len(on_roll)}
    results["write_path"] = http_writes.write_path(send, on_roll, TODAY, between, args)

    def enrol(n: int) -> int:
        from tracker.identifiers import make_upn

        return request(
            base,
            token,
            "POST",
            f"/api/v1/schools/{http_writes.URN}/pupils",
            {
                "upn": make_upn("885", f"{9000 + n // 1000}", 11, n % 1000),
                "given_name": "Load",
                "family_name": "Test",
                "date_of_birth": date(TODAY.year - 15, 1, 15).isoformat(),
                "year_group": 10 if TODAY.month >= 9 else 9,
                "enrolled_on": TODAY.isoformat(),
            },
        )

    closed = {
        "trivial_healthz": lambda n: request(base, token, "GET", "/healthz"),
        "record_activity_30_pupils": lambda n: request(
            base, token, "POST", http_writes.RECORD, http_writes.activity(n, on_roll, TODAY)
        ),
        "reference_record": lambda n: request(
            base, token, "POST", http_writes.REFERENCE, http_writes.activity(n, on_roll, TODAY)
        ),
        "enrol_pupil": enrol,
        "hub_metrics_40_schools": lambda n: request(
            base, token, "GET", "/api/v1/hubs/WORCS/metrics"
        ),
    }
    for name, call in closed.items():
        # Each phase starts with the projection worker idle, so no phase (the baseline least of all)
        # runs beside the work an earlier one left; the work a phase makes is its own cost.
        between()
        before = cpu_seconds_by_process()
        results[name] = load(args.seconds, args.clients, call)
        requests = sum(results[name]["statuses"].values())
        results[name]["cpu_ms_per_request"] = where_cpu_went(
            before, cpu_seconds_by_process(), requests, processes
        )
    ceiling = results["trivial_healthz"]["requests_per_s"]
    for name in ("enrol_pupil", "hub_metrics_40_schools"):
        results[name]["vs_trivial"] = f"{results[name]['requests_per_s'] / ceiling:.0%}"
    record, reference = (
        results[name]["requests_per_s"]
        for name in ("record_activity_30_pupils", "reference_record")
    )
    results["record_vs_reference_closed_loop"] = f"{record / reference:.0%}"
    steps = results["write_path"]
    held = [steps[f"{name}_stepped"]["highest_rate_held"] for name in ("record", "reference")]
    if all(held):
        # A route that held the last rate offered might hold more: the ratio is then only a bound.
        top = http_writes.RATES[-1]
        bound = {(False, True): "≤ ", (True, False): "≥ "}.get((held[0] == top, held[1] == top), "")
        results["record_vs_reference_highest_rate_held"] = f"{bound}{held[0] / held[1]:.0%}"
    return results


if __name__ == "__main__":
    main()
