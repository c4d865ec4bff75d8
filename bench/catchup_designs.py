"""Catch-up prototypes measured side by side over the North East region on PostgreSQL: today's
runner, (a) the audit index written set-wise, (b) partitioned workers' ceiling, (c) a bulk mode for
rebuilds, (d) the set-wise catch-up (`sql`; `sql_copy` staged by Python's COPY; `sql_no_milestones`,
its ceiling with no milestone rows written); each beside the raw read-and-decode rate, in rounds
that alternate the designs.

    python -m bench.catchup_designs --url URL [--rounds 3] [--designs today,bulk,...] [--until N]

Every design builds fresh tables under a prefix of its own in the given database (a copy of the
region: never the shared one), and is compared with today's build of the same round, table by
table, as `tracker verify` compares (`differences`: rows only in one of the two).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import queue as queues
import resource
import statistics
import time
from typing import Any

import psycopg

from bench.machine import cpu_seconds_by_process, describe, postgres_cpu_seconds
from bench.projection import raw_read_rate
from bench.region import tracker
from projections.rebuild import _compare
from projections.runner import Runner
from projections.store import PostgresViewStore
from projections.tables import COMPARED, COMPUTED

PREFIXES = {
    "today": "t_",
    "bulk": "b_",
    "bulk_unlogged": "u_",
    "setwise": "s_",
    "sql": "q_",
    "sql_copy": "c_",
    "sql_no_milestones": "m_",
}
DESIGNS = (
    "today",
    "bulk",
    "bulk_unlogged",
    "setwise",
    "partitioned",
    "sql_parts",
    "sql",
    "sql_copy",
    "sql_no_milestones",
)


def build(design: str, url: str, prefix: str, until: int | None, results) -> None:
    """One design's catch-up from nothing into fresh tables, in a process of its own."""
    from bench.catchup_bulk import defer_indexes, restore_indexes

    app, store = tracker(url), PostgresViewStore(url, prefix)
    store.drop_tables()
    store.create_tables()
    bulk = design.startswith("bulk")
    if bulk:
        defer_indexes(store, unlogged=design == "bulk_unlogged")
    runner = _runner(design, app, store)
    python_before, postgres_before = _own_cpu(), postgres_cpu_seconds()
    backends_before = _backends_cpu(url)
    began_at, began = time.time(), time.perf_counter()
    events = runner.catch_up(until)
    extra = restore_indexes(store, unlogged=design == "bulk_unlogged") if bulk else {}
    seconds = time.perf_counter() - began
    results.put(
        {
            "design": design,
            "events": events,
            "seconds": seconds,
            "span": (began_at, time.time()),  # for workers run at once: first start to last end
            "python_cpu": _own_cpu() - python_before,
            "postgres_cpu_all": postgres_cpu_seconds() - postgres_before,
            "postgres_cpu_ours": _backends_cpu(url, backends_before),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            **({"pages": runner.pages} if hasattr(runner, "pages") else {}),
            **extra,
        }
    )


def _runner(design: str, app: Any, store: PostgresViewStore) -> Runner:
    from bench.catchup_setwise import SetwiseRunner
    from bench.setwise_runner import SetwiseCatchUp

    if design.startswith("sql"):
        staging = "copy" if design == "sql_copy" else "sql"
        return SetwiseCatchUp(app, store, staging, milestones=design != "sql_no_milestones")
    return (SetwiseRunner if design == "setwise" else Runner)(app, store)


def _backends_cpu(url: str, before: dict | None = None) -> Any:
    """CPU seconds of the PostgreSQL backends serving the copy's database (nobody else's: the copy
    is this bench's own), each counted from `before` or from 0 if it began since; the pools stay
    open until this is read, so no backend of the run has exited uncounted. Without `before`, the
    snapshot to count from."""
    database = url.rsplit("/", 1)[1]
    now = {
        pid: seconds
        for pid, (_, command, seconds) in cpu_seconds_by_process().items()
        if command.startswith("postgres:") and f" {database} " in command
    }
    if before is None:
        return now
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def in_processes(jobs: list[tuple[str, str]], url: str, until: int | None) -> list[dict]:
    """Run (design, prefix) jobs at once, each in its own process; their results, and the wall
    time from the first start to the last end."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [
        context.Process(target=build, args=(design, url, prefix, until, results))
        for design, prefix in jobs
    ]
    began = time.perf_counter()
    for process in processes:
        process.start()
    collected: list[dict] = []
    while len(collected) < len(processes):
        try:
            collected.append(results.get(timeout=5))
        except queues.Empty:
            if any(p.exitcode not in (None, 0) for p in processes):
                raise RuntimeError("a catch-up process died") from None
    for process in processes:
        process.join()
    wall = time.perf_counter() - began
    return [{**result, "wall_all": wall} for result in collected]


def differences(url: str, prefix: str, tables=COMPARED) -> dict[str, int]:
    """Rows only in today's build or only in `prefix`'s, per table that differs."""
    today, other = PostgresViewStore(url, PREFIXES["today"]), PostgresViewStore(url, prefix)
    found = {}
    with today.snapshot() as cursor:
        for table in tables:
            if difference := _compare(today, other, cursor, table):
                found[table] = difference.only_live + difference.only_rebuilt
    return found


def one_round(url: str, designs: list[str], until: int | None, workers: int) -> list[dict]:
    figures = [{"design": "raw_read_decode", "events_per_s": raw_read_rate(url, until)}]
    print(json.dumps(_rounded(figures[0])), flush=True)
    for design in designs:
        if design == "partitioned":
            jobs = [("today", f"p{n}_") for n in range(workers)]
            runs = _retried(in_processes, jobs, url, until)
            events = sum(run["events"] for run in runs)
            wall = max(run["span"][1] for run in runs) - min(run["span"][0] for run in runs)
            figures.append(
                {
                    "design": f"partitioned_ceiling_{workers}",
                    "events": events,
                    "events_per_s": events / wall,
                    "seconds": wall,
                    "each_events_per_s": [round(r["events"] / r["seconds"]) for r in runs],
                    "peak_mib": max(run["peak_mib"] for run in runs),
                    "python_cpu": sum(run["python_cpu"] for run in runs),
                    "postgres_cpu_ours": sum(run["postgres_cpu_ours"] for run in runs),
                }
            )
        elif design == "sql_parts":
            from bench.catchup_setwise import encounter_rates

            app = tracker(url)  # kept in a variable: a dropped application closes its pool
            head = until or app.recorder.max_notification_id()
            parts = encounter_rates(PostgresViewStore(url, PREFIXES["today"]), head, 5000)
            figures.append(
                {
                    "design": "sql_parts",
                    "sql_decode_events_per_s": head / parts["decode_seconds"],
                    "sql_encounter_rows_per_s": parts["encounter_rows"]
                    / parts["encounters_seconds"],
                    **parts,
                    "encounters_differ": _scratch_differences(url),
                }
            )
        else:
            (run,) = _retried(in_processes, [(design, PREFIXES[design])], url, until)
            run["events_per_s"] = run["events"] / run["seconds"]
            if design != "today":
                tables = ("events", "event_upns") if design == "setwise" else COMPARED
                if design == "sql_no_milestones":
                    tables = tuple(t for t in COMPARED if not t.startswith(COMPUTED))
                run["differences_from_today"] = differences(url, PREFIXES[design], tables)
            figures.append(run)
        figure = figures[-1]
        if "events_per_s" in figure:
            figure["vs_raw"] = f"{figure['events_per_s'] / figures[0]['events_per_s']:.0%}"
        print(json.dumps(_rounded({k: v for k, v in figure.items() if k != "span"})), flush=True)
    return figures


def _retried(measure, *args, attempts: int = 3):
    """A measurement again if the server went away under it (other people's fault-injection
    tests restart it on this machine)."""
    for attempt in range(attempts):
        try:
            return measure(*args)
        except (RuntimeError, psycopg.OperationalError):
            if attempt == attempts - 1:
                raise
            time.sleep(10)


def _scratch_differences(url: str) -> int:
    """Attendance rows only in today's encounters or only in the set-wise scratch table."""
    store = PostgresViewStore(url, PREFIXES["today"])
    mine = "SELECT * FROM {scratch_encounters}"
    theirs = "SELECT * FROM {encounters} WHERE source_id IN (SELECT id FROM {activities})"
    return sum(
        store.query(f"SELECT count(*) FROM (({first}) EXCEPT ({second})) d")[0][0]
        for first, second in ((mine, theirs), (theirs, mine))
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--url", required=True, help="a copy of the region (never region_ne)")
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--designs", default=",".join(DESIGNS))
    options.add_argument("--workers", type=int, default=2)
    options.add_argument("--until", type=int, help="stop at this position (a quick trial)")
    args = options.parse_args()
    print(describe(args.url), flush=True)
    rounds = []
    for number in range(args.rounds):
        print(f"round {number + 1}", flush=True)
        rounds.append(one_round(args.url, args.designs.split(","), args.until, args.workers))
    print(json.dumps({"medians": _medians(rounds)}, indent=1))


def _rounded(figure: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in figure.items()}


def _medians(rounds: list[list[dict]]) -> dict[str, dict[str, float]]:
    by_design: dict[str, dict[str, list[float]]] = {}
    for figures in rounds:
        raw = figures[0]["events_per_s"]
        for figure in figures:
            values = by_design.setdefault(figure["design"], {})
            for key in (
                "events_per_s",
                "sql_decode_events_per_s",
                "sql_encounter_rows_per_s",
                "seconds",
                "python_cpu",
                "postgres_cpu_all",
                "postgres_cpu_ours",
                "peak_mib",
            ):
                if key in figure:
                    values.setdefault(key, []).append(figure[key])
            if "events_per_s" in figure:
                values.setdefault("share_of_raw", []).append(figure["events_per_s"] / raw)
            if "postgres_cpu_ours" in figure and "events" in figure:
                for side in ("python_cpu", "postgres_cpu_ours"):
                    per_event = 1e6 * figure[side] / figure["events"]
                    values.setdefault(f"{side}_us_per_event", []).append(per_event)
    return {
        design: {key: round(statistics.median(v), 3) for key, v in values.items()}
        for design, values in by_design.items()
    }


if __name__ == "__main__":
    main()
