"""Read latencies over the North East region on PostgreSQL: school status, a 40-school hub's
metrics and employer figures (warm: kept while nothing is written; recomputed: counted afresh),
national figures, as-of and known-at answers, and read-your-writes lag.

    python -m bench.queries [--repeat 200] [--url …] [--only hub_employers_40_schools_warm]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
from datetime import datetime, timedelta

from adapters import unavailable_errors
from bench.databases import ADMIN_URL, throwaway
from bench.machine import describe
from bench.region import HUB, TODAY, ensure_region, tracker
from projections.engagement import computed, engagement
from projections.hosts import willing_hosts
from projections.metrics import school_figures
from projections.provider_access import hub_provider_access
from projections.pupil_status import RollFilter
from projections.queries import Reads
from projections.replay import position_known_at, replay_schools
from projections.runner import Runner, wait_for_position
from projections.store import view_store_for
from projections.wake import postgres_waker
from tracker.calendar import AcademicYear

EMPLOYER = {"name": "Bench Ltd", "size": "small"}


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
        "n": len(ordered),
    }


def timed(call, repeat: int, warm: bool = False) -> dict[str, float]:
    """Latencies of `repeat` calls; a warm series first makes one call it does not count."""
    if warm:
        call()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return percentiles(samples)


def read_your_writes(url: str, reads: Reads, repeat: int) -> dict[str, float]:
    """A projection worker woken by NOTIFY; how long after each write returns do the views hold
    it?"""
    app, store = tracker(url), reads.store
    urn, upn = store.query("SELECT school_urn, upn FROM {enrolments} LIMIT 1")[0]
    stop = threading.Event()
    worker = threading.Thread(
        target=Runner(tracker(url), view_store_for(url)).run_forever,
        args=(stop, postgres_waker(url, app.recorder.channel_name), 1.0),
    )
    worker.start()
    samples = []
    try:
        for n in range(repeat):
            position = app.record_activity(
                urn,
                "employer_talk",
                "Talk",
                TODAY - timedelta(days=n % 200),
                [upn],
                employer=EMPLOYER,
                meaningful=True,
                criteria={
                    "purpose_shared": True,
                    "outcomes": True,
                    "two_way": True,
                    "reflection": True,
                },
            ).position
            began = time.perf_counter()
            wait_for_position(store, position, timeout=10)
            samples.append(time.perf_counter() - began)
    finally:
        stop.set()
        worker.join()
    return percentiles(samples)


def known_at_beside_as_of(app, reads: Reads, past: list, repeat: int) -> dict[str, dict]:
    """Known-at answers (views read as at a position: docs/time.md) beside as-of answers for the
    same dates, uncached both, each pair measured alternately; and the replay they replaced."""
    store = reads.store
    members = reads.hub_members(HUB)
    moments = [
        row[0]
        for row in store.query(
            "SELECT recorded_at FROM {events} WHERE MOD(position, 1000) = 0 ORDER BY position"
        )
    ]
    samples: dict[str, list[float]] = {
        "hub_40_schools_figures_as_of": [],
        "hub_40_schools_figures_known_at": [],
        "hub_metrics_known_at_national_cold": [],
        "national_metrics_as_of_cold": [],
        "national_metrics_known_at_cold": [],
    }

    def sample(name: str, call, *arguments) -> None:
        began = time.perf_counter()
        call(*arguments)
        samples[name].append(time.perf_counter() - began)

    lost = 0
    while min(map(len, samples.values())) < repeat and lost < repeat:
        as_of = random.choice(past)
        moment = datetime.fromisoformat(random.choice(moments))
        try:
            known = store.known_at(position_known_at(store, moment))
            sample("hub_40_schools_figures_as_of", school_figures, store, as_of, members)
            sample("hub_40_schools_figures_known_at", school_figures, known, as_of, members)
            reads._known.clear()
            sample("hub_metrics_known_at_national_cold", reads.hub_metrics, HUB, as_of, moment)
            sample("national_metrics_as_of_cold", school_figures, store, as_of)
            reads._known.clear()
            sample("national_metrics_known_at_cold", reads.national_metrics, as_of, moment)
        except unavailable_errors():  # a shared server restarted under us: that round is lost
            lost += 1
            time.sleep(2)
    results = {name: percentiles(values) for name, values in samples.items()}
    results["rounds_lost_to_server_restarts"] = lost
    position = position_known_at(store, datetime.fromisoformat(moments[len(moments) // 2]))
    results["hub_40_schools_replay_before"] = timed(
        lambda: replay_schools(app, store, members, position), 3
    )
    return results


def reads_known_at_beside_as_of(reads: Reads, past: list, repeat: int) -> dict[str, dict]:
    """The reads given `known_at` on 2026-12-05 (a hub's destinations, a school's roll, the hub's
    years trend) beside the same reads as of the same date, each pair measured one after the
    other in a round (a random past date, a random moment of the log, a random member school)."""
    store = reads.store
    members = reads.hub_members(HUB)
    moments = [
        datetime.fromisoformat(row[0])
        for row in store.query(
            "SELECT recorded_at FROM {events} WHERE MOD(position, 1000) = 0 ORDER BY position"
        )
    ]
    pairs = {
        "hub_destinations": lambda as_of, moment, urn: reads.destinations(
            reads.hub_members(HUB, as_of, moment), None, as_of, False, moment
        ),
        "school_roll_200": lambda as_of, moment, urn: reads.roll(
            urn, as_of, RollFilter(), None, 200, moment
        ),
        # Cold both ways: a fresh reader keeps nothing from an earlier round.
        "hub_years_trend": lambda as_of, moment, urn: Reads(
            reads.app, store, today=reads.today
        ).hub_years(HUB, known_at=moment),
    }
    samples: dict[str, list[float]] = {
        f"{name}_{kind}": [] for name in pairs for kind in ("as_of", "known_at")
    }
    lost = 0
    while min(map(len, samples.values())) < repeat and lost < repeat:
        as_of, moment, urn = random.choice(past), random.choice(moments), random.choice(members)
        try:
            for name, call in pairs.items():
                for kind, at in (("as_of", None), ("known_at", moment)):
                    began = time.perf_counter()
                    call(as_of, at, urn)
                    samples[f"{name}_{kind}"].append(time.perf_counter() - began)
        except unavailable_errors():  # a shared server restarted under us: that round is lost
            lost += 1
            time.sleep(2)
    return {
        **{name: percentiles(values) for name, values in samples.items()},
        "rounds_lost_to_server_restarts": lost,
    }


def employers_known_at_beside_as_of(store, members: list[str], year, repeat: int) -> dict:
    """The hub's employer figures, provider access and willing hosts counted afresh, as they are
    and as known at the log's last moment (the same rows, each read through its versions), in
    alternate rounds: what reading the employer tables as known at a position costs."""
    known = store.known_at(store.position())
    reads = {
        "hub_employers_40_schools": lambda views: computed(views, members, year, TODAY),
        "hub_provider_access_40_schools": lambda views: hub_provider_access(
            views, HUB, members, year, TODAY
        ),
        "hub_willing_hosts": lambda views: willing_hosts(views, members, TODAY),
    }
    samples: dict[str, list[float]] = {}
    for name, read in reads.items():
        assert read(known) == read(store), name  # known at the last position: the same answer
    for _ in range(repeat):
        for name, read in reads.items():
            for suffix, views in (("as_of", store), ("known_at", known)):
                began = time.perf_counter()
                read(views)
                samples.setdefault(f"{name}_{suffix}", []).append(time.perf_counter() - began)
    results: dict = {name: percentiles(values) for name, values in samples.items()}
    for name in reads:
        results[f"{name}_ratio_p50"] = round(
            statistics.median(samples[f"{name}_known_at"])
            / statistics.median(samples[f"{name}_as_of"]),
            2,
        )
    return results


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--repeat", type=int, default=200)
    options.add_argument("--url", help="reuse a database already holding the region (it is kept)")
    options.add_argument(
        "--only", action="append", help="time only this series (repeatable), e.g. school_status"
    )
    args = options.parse_args()
    print(describe(ADMIN_URL))
    with throwaway("postgres", args.url) as url:
        region = ensure_region(url)
        app, store = tracker(url), view_store_for(url)
        store.create_tables()
        Runner(app, store).catch_up()
        reads = Reads(app, store, today=lambda: TODAY)
        schools = [row[0] for row in store.query("SELECT urn FROM {schools}")]
        past = [TODAY - timedelta(days=d) for d in range(1, 300)]
        this_year = AcademicYear.containing(TODAY)

        def cold_national(as_of=None):
            reads.every_school.clear()  # the cache holds one answer per as_of date
            return reads.national_metrics(as_of)

        first_event = store.query("SELECT MIN(recorded_at), MAX(recorded_at) FROM {events}")[0]
        middle = (
            datetime.fromisoformat(first_event[0])
            + (datetime.fromisoformat(first_event[1]) - datetime.fromisoformat(first_event[0])) / 2
        )
        series = {
            "school_status": lambda: timed(
                lambda: reads.school_status(random.choice(schools)), args.repeat
            ),
            "hub_metrics_40_schools_warm": lambda: timed(
                lambda: reads.hub_metrics(HUB), args.repeat, warm=True
            ),
            "hub_metrics_40_schools_national_recomputed": lambda: timed(
                lambda: (reads.every_school.clear(), reads.hub_metrics(HUB)),
                max(10, args.repeat // 10),
            ),
            "hub_employers_40_schools_warm": lambda: timed(
                lambda: engagement(store, reads.hub_members(HUB), this_year, TODAY),
                args.repeat,
                warm=True,
            ),
            "hub_employers_40_schools_recomputed": lambda: timed(
                lambda: computed(store, reads.hub_members(HUB), this_year, TODAY),
                max(10, args.repeat // 10),
            ),
            "national_metrics_region_cold": lambda: timed(
                cold_national, max(10, args.repeat // 10)
            ),
            "hub_metrics_as_of_past_date": lambda: timed(
                lambda: reads.hub_metrics(HUB, as_of=random.choice(past)),
                max(10, args.repeat // 10),
            ),
            "school_status_as_of_past_date": lambda: timed(
                lambda: reads.school_status(random.choice(schools), as_of=random.choice(past)),
                args.repeat,
            ),
            "school_status_known_at": lambda: timed(
                lambda: reads.school_status(random.choice(schools), known_at=middle),
                max(10, args.repeat // 10),
            ),
            # Known-at for a 40-school hub and for national beside as-of, and the replay before.
            "known_at_beside_as_of": lambda: known_at_beside_as_of(
                app, reads, past, max(10, args.repeat // 10)
            ),
            # The reads that took `known_at` on 2026-12-05, beside the same reads as of a date.
            "reads_known_at_beside_as_of": lambda: reads_known_at_beside_as_of(
                reads, past, max(10, args.repeat // 10)
            ),
            "read_your_writes_lag": lambda: read_your_writes(url, reads, max(20, args.repeat // 2)),
            "employers_known_at_beside_as_of": lambda: employers_known_at_beside_as_of(
                store, reads.hub_members(HUB), this_year, max(5, args.repeat // 10)
            ),
        }
        wanted = args.only or list(series)
        results = {"region": region, **{name: series[name]() for name in wanted}}
        print(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
