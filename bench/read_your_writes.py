"""What a read after a write waits for: `bench.http`'s read-your-writes phase (at 50/s, each record
followed by `GET /activities/{id}?min_position=` of the position it returned), taken apart.

Beside the client's latencies it samples the views' position every 2 ms from this process, so each
write's projection lag (its answer to the views holding its position) is known without the read,
and it reads gunicorn's request log for the server's own time of each read (the client's less the
server's is the wait for a gunicorn thread). The position's steps say how often the projection
worker committed a page and how many events each held.

    python -m bench.read_your_writes [--seconds 20] [--rate 50] [--template db_with_the_demo]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import date

from bench import http_writes
from bench.databases import ADMIN_URL
from bench.http import answer, caught_up, serving
from bench.machine import describe
from bench.open_loop import open_loop
from bench.queries import percentiles

SAMPLE_SECONDS = 0.002


def sample_positions(views, stop: threading.Event, samples: list) -> None:
    while not stop.is_set():
        samples.append((time.perf_counter(), views.position()))
        time.sleep(SAMPLE_SECONDS)


def lags(writes: list[tuple[float, int]], samples: list[tuple[float, int]]) -> list[float]:
    """For each (answered at, position) the time from the answer to the first sample at or past
    the position (samples are in time order)."""
    found, index = [], 0
    for answered, position in sorted(writes, key=lambda write: write[1]):
        while index < len(samples) and samples[index][1] < position:
            index += 1
        if index < len(samples):
            found.append(max(0.0, samples[index][0] - answered))
    return found


def pages(samples: list[tuple[float, int]]) -> dict:
    """The views' position's steps: one a committed page."""
    steps = [(b[0], b[1] - a[1]) for a, b in zip(samples, samples[1:], strict=False) if b[1] > a[1]]
    gaps = [b[0] - a[0] for a, b in zip(steps, steps[1:], strict=False)]
    sizes = [size for _, size in steps]
    return {
        "pages": len(steps),
        "events_per_page_median": statistics.median(sizes) if sizes else 0,
        "events_per_page_max": max(sizes, default=0),
        "between_pages": percentiles(gaps) if gaps else {},
    }


def server_read_ms(log_path: str) -> dict:
    with open(log_path) as log:
        lines = [json.loads(line) for line in log if line.startswith("{")]
    reads = [line["ms"] / 1000 for line in lines if line.get("route", "").endswith("<activity_id>")]
    return percentiles(reads) if reads else {}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--seconds", type=float, default=20)
    options.add_argument("--rate", type=float, default=http_writes.SUSTAINED)
    options.add_argument("--template", help="a database holding the demo, copied for the run")
    args = options.parse_args()
    print(describe(ADMIN_URL))
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as server_log:
        with serving(server_log, args.template) as (base, token, app, views, _):
            print(json.dumps(measure(base, token, app, views, args), indent=1))
            server = server_read_ms(server_log.name)
        print(json.dumps({"server_time_of_each_read": server}, indent=1))


def measure(base: str, token: str, app, views, args) -> dict:
    today = date.today()
    on_roll = app._roll(http_writes.URN).on_roll(today)
    writes, reads, lock = [], [], threading.Lock()

    def write_then_read(n: int) -> int:
        body = http_writes.activity(n, on_roll, today)
        status, written = answer(base, token, "POST", http_writes.RECORD, body)
        if status != 201:
            return status
        written = json.loads(written)
        answered = time.perf_counter()
        path = f"/api/v1/activities/{written['id']}?min_position={written['position']}"
        status, _ = answer(base, token, "GET", path)
        with lock:
            writes.append((answered, written["position"]))
            reads.append(time.perf_counter() - answered)
        return status

    def warm(n: int) -> int:
        body = http_writes.activity(10**6 + n, on_roll, today)
        return answer(base, token, "POST", http_writes.RECORD, body)[0]

    open_loop(*http_writes.WARM_UP, warm)
    caught_up(app, views)
    stop, samples = threading.Event(), []
    sampler = threading.Thread(target=sample_positions, args=(views, stop, samples))
    sampler.start()
    both = open_loop(args.rate, args.seconds, write_then_read)
    caught_up(app, views)
    stop.set()
    sampler.join()
    return {
        "read_after_write": percentiles(reads),
        "projection_lag": percentiles(lags(writes, samples)),
        "views_pages": pages(samples),
        "write_and_read": both,
        "position_samples": len(samples),
    }


if __name__ == "__main__":
    main()
