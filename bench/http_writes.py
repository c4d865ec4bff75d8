"""The write path's phases of `bench.http`: recording a 30-pupil activity open-loop at a sustained
rate and stepped up, read-your-writes, and the same beside the physical reference route
(bench/reference_app.py) in the same gunicorn.

Goals (docs/performance.md): p99 <= 100 ms at 50 requests/s; the highest rate held with p99 <=
250 ms at least half the reference's.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from typing import Any, Callable

from bench.open_loop import highest_rate_held, open_loop
from bench.queries import percentiles

URN = "135035"  # The Bewdley School: a Worcestershire secondary
RECORD = f"/api/v1/schools/{URN}/activities"
REFERENCE = "/bench/reference/activities"
SUSTAINED = 50.0  # requests/s: ten times the national peak estimated in docs/performance.md
# Steps of an eighth or less from 300/s on, and on past what the reference route holds: with 800/s
# the last step, the reference held every rate offered and the ratio of the two was only a bound.
RATES = [50.0, 100.0, 150.0, 200.0, 250.0, 300.0, 350.0, 400.0, 450.0, 500.0, 575.0, 650.0]
RATES += [725.0, 800.0, 900.0, 1000.0, 1125.0, 1250.0, 1400.0, 1600.0]
P99_HELD_MS = 250.0
WARM_UP = (20.0, 3.0)  # requests/s, seconds
# The reference route's table (bench/reference_app.py): shaped as the event log's, apart from it.
REFERENCE_TABLE = "bench_reference_events"
REFERENCE_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {REFERENCE_TABLE} (originator_id uuid NOT NULL, "
    "originator_version bigint NOT NULL, topic text, state bytea, notification_id bigserial, "
    f"PRIMARY KEY (originator_id, originator_version)); "
    f"CREATE UNIQUE INDEX IF NOT EXISTS {REFERENCE_TABLE}_position "
    f"ON {REFERENCE_TABLE} (notification_id)"
)
REFERENCE_INSERT = (
    f"INSERT INTO {REFERENCE_TABLE} (originator_id, originator_version, topic, state) "
    "VALUES (%s, 1, 'bench:Reference', %s) RETURNING notification_id"
)


def activity(n: int, on_roll: list[str], today: date) -> dict[str, Any]:
    """The n-th request's body: 30 pupils on roll today, in turn."""
    return {
        "kind": "employer_talk",
        "title": f"Talk {n}",
        "occurred_on": today.isoformat(),
        "employer": {"name": "Bench Ltd", "size": "small"},
        "meaningful": True,
        "criteria": {"purpose_shared": True, "outcomes": True, "two_way": True, "reflection": True},
        "attendees": [on_roll[(n * 30 + k) % len(on_roll)] for k in range(30)],
    }


def write_path(
    send: Callable[..., tuple[int, bytes]],
    on_roll: list[str],
    today: date,
    between: Callable[[], None],
    args: Any,
) -> dict[str, Any]:
    """Every write-path figure; `send(method, path, body)` makes one request, `between()` waits for
    the projection worker to be idle before each phase, so no phase runs beside another's work."""

    def poster(path: str) -> Callable[[int], int]:
        return lambda n: send("POST", path, activity(n, on_roll, today))[0]

    results: dict[str, Any] = {}
    for name, path in (("record", RECORD), ("reference", REFERENCE)):
        # Not counted: each gunicorn thread's first requests (connections, the school's roll read
        # and cached) took seconds in a trial and held the queue up for the whole phase after.
        open_loop(WARM_UP[0], WARM_UP[1], poster(path))
        between()
        results[f"{name}_at_{SUSTAINED:.0f}_per_s"] = open_loop(
            SUSTAINED, args.sustained_seconds, poster(path)
        )
        results[f"{name}_stepped"] = highest_rate_held(
            RATES, args.step_seconds, poster(path), P99_HELD_MS, between
        )
    between()
    results["read_your_writes"] = read_your_writes(send, on_roll, today, args.sustained_seconds)
    return results


def read_your_writes(
    send: Callable[..., tuple[int, bytes]], on_roll: list[str], today: date, seconds: float
) -> dict[str, Any]:
    """At the sustained rate, each write followed by a read of what it wrote with `min_position`:
    the read's own latency (how long it waited for the views), and the write's plus the read's."""
    reads, lock = [], threading.Lock()

    def write_then_read(n: int) -> int:
        status, body = send("POST", RECORD, activity(n, on_roll, today))
        if status != 201:
            return status
        written = json.loads(body)
        began = time.perf_counter()
        status, _ = send(
            "GET", f"/api/v1/activities/{written['id']}?min_position={written['position']}"
        )
        with lock:
            reads.append(time.perf_counter() - began)
        return status

    both = open_loop(SUSTAINED, seconds, write_then_read)
    return {"read_after_write": percentiles(reads), "write_and_read": both}
