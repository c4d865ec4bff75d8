"""Projection catch-up over the North East region, beside the raw read-and-decode rate and the
library's own ProjectionRunner, on PostgreSQL and SQLite; with the runner's peak memory.

    python -m bench.projection [--backends postgres,sqlite] [--library-events 20000] [--keep URL]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue as queues
import resource
import time

from bench.databases import ADMIN_URL, throwaway
from bench.machine import describe, postgres_cpu_seconds
from bench.region import ensure_region, tracker
from projections.runner import Runner
from projections.store import view_store_for


def raw_read_rate(url: str, stop: int | None = None) -> float:
    """The floor of any projection: select a page of notifications and decode every event, as the
    runner decodes them (no pupil's key read: one at a time, the keys were most of the time)."""
    app, start, count = tracker(url), 1, 0
    began = time.perf_counter()
    while page := app.recorder.select_notifications(start=start, limit=1000, stop=stop):
        app.mapper.to_domain_events(page, identities=False)
        count += len(page)
        start = page[-1].id + 1
    return count / (time.perf_counter() - began)


def _catch_up(url: str, queue) -> None:
    app, store = tracker(url), view_store_for(url)
    store.drop_tables()
    store.create_tables()
    began, cpu_began = time.perf_counter(), time.process_time()
    events = Runner(app, store).catch_up()
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu_began
    rows = store.query("SELECT COUNT(*) FROM {encounters}")[0][0]
    queue.put(
        {
            "events": events,
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "encounter_rows": rows,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def our_catch_up(url: str) -> dict[str, float]:
    """In a process of its own, so its peak memory is the runner's alone."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_catch_up, args=(url, queue))
    process.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except queues.Empty:
            if not process.is_alive():  # killed (say, the database restarted under it): say so
                raise RuntimeError(
                    f"the catch-up process died with exit code {process.exitcode}"
                ) from None
    process.join()
    return result


def _cpu_floor(ours: dict[str, float], postgres: float) -> dict[str, float]:
    """The catch-up's CPU, its process's and the server's: spread over every core with nothing
    waiting, the least wall time this machine could take for the same work (docs/performance.md,
    what bounds the catch-up). The server's is every PostgreSQL process's, so an idle server's."""
    total = ours["cpu_seconds"] + postgres
    return {
        "cpu_seconds": {
            "catch_up_process": round(ours["cpu_seconds"], 1),
            "postgresql": round(postgres, 1),
        },
        "cpu_floor_seconds": round(total / (os.cpu_count() or 1), 1),
        "events_per_s_at_cpu_floor": round(ours["events"] * (os.cpu_count() or 1) / total),
    }


def library_runner_rate(url: str, limit: int) -> float:
    """The library's ProjectionRunner with the least possible work: record the tracking position."""
    from eventsourcing.postgres import PostgresTrackingRecorder
    from eventsourcing.projection import Projection, ProjectionRunner

    from tracker.application import Tracker
    from tracker.config import store_settings

    class CountingProjection(Projection[PostgresTrackingRecorder]):
        name = f"libbench{int(time.time())}"

        def process_event(self, domain_event, tracking) -> None:
            self.view.insert_tracking(tracking)

    app = tracker(url)  # kept in a variable: a dropped application closes its connection pool
    target = min(limit, app.recorder.max_notification_id())
    began = time.perf_counter()
    with ProjectionRunner(
        application_class=Tracker,
        projection_class=CountingProjection,
        view_class=PostgresTrackingRecorder,
        env=store_settings(url),
    ) as runner:
        while (runner.view.max_tracking_id("Tracker") or 0) < target:
            time.sleep(0.05)
        done = runner.view.max_tracking_id("Tracker")
    return done / (time.perf_counter() - began)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--backends", default="postgres,sqlite")
    options.add_argument("--library-events", type=int, default=20_000)
    options.add_argument("--url", help="reuse a database already holding the region (it is kept)")
    args = options.parse_args()
    print(describe(ADMIN_URL))
    for backend in args.backends.split(","):
        with throwaway(backend, args.url if backend == "postgres" else None) as url:
            region = ensure_region(url)
            raw = raw_read_rate(url)
            postgres_began = postgres_cpu_seconds()
            ours = our_catch_up(url)
            postgres = postgres_cpu_seconds() - postgres_began
            rate = ours["events"] / ours["seconds"]
            result = {
                "backend": backend,
                **region,
                "raw_read_decode_events_per_s": round(raw),
                "ours_events_per_s": round(rate),
                "ours_encounter_rows_per_s": round(ours["encounter_rows"] / ours["seconds"]),
                "ours_vs_raw": f"{rate / raw:.0%}",
                "catch_up_seconds": round(ours["seconds"], 1),
                "peak_mib": round(ours["peak_mib"]),
                **_cpu_floor(ours, postgres if backend == "postgres" else 0.0),
            }
            if backend == "postgres":
                library = library_runner_rate(url, args.library_events)
                result.update(
                    library_runner_events_per_s=round(library),
                    ours_vs_library=f"{rate / library:.1f}x",
                )
            print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
