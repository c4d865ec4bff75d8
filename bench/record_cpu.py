"""CPU of one recorded 30-pupil activity in one process: `POST /schools/{urn}/activities` through
Flask's test client over a PostgreSQL store holding the Worcestershire demo, the body and token
`bench.http` sends. What the API's own code spends on a record, apart from the network and other
load; `--profile` prints where it goes.

    python -m bench.record_cpu [--url postgresql://…/db_with_the_demo] [--profile 40] [--statements]
        2>/dev/null

Without `--url` the demo is built in a throwaway database first (minutes). Process CPU time, not
wall time: on a shared machine it moves less with what else is running. Compare two checkouts by
running each, alternately, and take medians.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time
from datetime import date

from api import create_app
from bench import http_writes
from bench.api_cpu import cpu_rounds
from bench.databases import throwaway
from tracker.demo import build_demo

ROUNDS, CALLS = 15, 30


def recorder(url: str):
    """A call recording the n-th activity (201 expected), and the app's tracker."""
    app = create_app({"DATABASE_URL": url, "PROJECTIONS": "worker", "SECRET_KEY": "bench"})
    tracker = app.extensions["tracker"].tracker
    if not tracker.school_exists(http_writes.URN):
        build_demo(tracker, ("885",), hub="WORCS", hub_size=40)
    token, _ = tracker.issue_token("admin", "bench")
    on_roll = tracker._roll(http_writes.URN).on_roll(date.today())
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    counter = iter(range(10**9))

    def record() -> int:
        body = http_writes.activity(next(counter), on_roll, date.today())
        return client.post(http_writes.RECORD, json=body, headers=headers).status_code

    return record, tracker


def per_request_ms(call) -> dict[str, float]:
    """The median and the least over `ROUNDS` of the CPU milliseconds per call, after a warm-up:
    on this shared machine a busy moment inflates a round's CPU too (caches, frequency), and the
    least is the round that ran most alone."""

    def recorded() -> None:
        if (status := call()) != 201:
            raise SystemExit(f"record answered {status}")

    samples = cpu_rounds(recorded, ROUNDS, CALLS)
    return {"median": round(statistics.median(samples), 3), "least": round(min(samples), 3)}


def composed_against_rendered(tracker, rounds: int = 9, calls: int = 300) -> dict[str, float]:
    """CPU microseconds of one aggregate read (the roll's fast-forward, which finds nothing new)
    through the library's composed statement and through ours rendered once, alternating."""
    from eventsourcing.postgres import PostgresApplicationRecorder

    from tracker.domain.roll import Roll

    recorder, roll = tracker.recorder, Roll.create_id(http_writes.URN)
    version = tracker.repository.get(roll).version
    ways = {
        "composed_us": lambda: PostgresApplicationRecorder.select_events(
            recorder, roll, gt=version
        ),
        "rendered_us": lambda: recorder.select_events(roll, gt=version),
    }
    samples: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for name, read in ways.items():
            began = time.process_time()
            for _ in range(calls):
                read()
            samples[name].append(1e6 * (time.process_time() - began) / calls)
    return {name: round(statistics.median(values), 1) for name, values in samples.items()}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--url", help="a database holding the demo (written to: use a copy)")
    options.add_argument("--profile", type=int, default=0, help="print this many functions")
    options.add_argument("--statements", action="store_true", help="composed against rendered")
    args = options.parse_args()
    with throwaway("postgres", keep=args.url) as url:
        record, tracker = recorder(url)
        print(json.dumps({"record_activity_cpu_ms": per_request_ms(record)}))
        if args.statements:
            print(json.dumps({"aggregate_read": composed_against_rendered(tracker)}))
        if args.profile:
            profile = cProfile.Profile(time.process_time)  # CPU, not waits on the server
            profile.runcall(lambda: [record() for _ in range(300)])
            stats = pstats.Stats(profile).sort_stats("cumulative")
            stats.print_stats(args.profile)
            stats.sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
