"""The national register: every secondary establishment in England with its real roll and a year of
activity, ingested on PostgreSQL through the application, projected, and queried; or a sample of it.

    python -m bench.national [--fraction 0.02] [--writers 1] [--one-at-a-time] [--alongside]
                             [--repeat 200] [--keep URL]

`--fraction` takes evenly spaced schools of the register in local-authority order, each with its
whole roll, and extrapolates to the register linearly in pupils (events grow with pupils).
Hubs of 30 are formed over the schools taken, in that order, with 20 of every 50 left out of
any hub so non-hub figures exist. `--keep URL` generates into that database (or reuses what it
already holds) and leaves it in place. `--alongside` runs the projection worker during the
ingest, as a deployment runs it, and times the whole until the views have caught up.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import queue as queues
import random
import resource
import sys
import time
from datetime import timedelta
from typing import Any, Iterator

import psycopg
from psycopg import sql

from bench.databases import ADMIN_URL, throwaway
from bench.machine import describe, postgres_cpu_seconds, server_settings
from bench.projection import _catch_up, raw_read_rate
from bench.queries import timed
from bench.region import TODAY, tracker
from projections.metrics import hub_members, school_figures
from projections.queries import Reads
from projections.runner import Runner
from projections.store import view_store_for
from tracker.application import Tracker
from tracker.calendar import AcademicYear
from tracker.config import store_settings
from tracker.demo import (
    CHECKS,
    EMPLOYERS,
    GAPPY,
    Establishment,
    _checklist,
    activities_for,
    days,
    establishments,
    pupils_for,
    register_establishment,
    register_rows,
)
from tracker.domain.activity import Activity
from tracker.domain.base import Caller
from tracker.domain.roll import Roll
from tracker.domain.school import School
from tracker.domain.student import Student

LOADER = Caller("national-bench", "national-bench")
YEAR = AcademicYear.containing(TODAY)
HUB_SIZE, LEFT_OUT = 30, 20
REACHES = (
    0.55,
    0.7,
    0.85,
    0.95,
    1.0,
    1.0,
)  # how much of each year group a school gets to, as the demo has it
# On top of the demo's three employer encounters a year group: eight in all, so that with the
# workplace, FE/HE and guidance encounters a pupil averages about eight counted a year.
MORE_EMPLOYER_KINDS = (
    "enterprise_challenge",
    "mock_interview",
    "employer_project",
    "employer_talk",
    "careers_fair",
)
BASELINE_PUPILS = 5_000

Plan = list[tuple[Establishment, int, "str | None"]]


# --- the register, a sample of it, and hubs ---------------------------------------------------


def register() -> list[tuple[Establishment, int]]:
    """Every establishment in LA order, with its place within its LA (its pupils' UPNs carry it)."""
    la_codes = tuple(sorted({row["la_code"] for row in register_rows()}))
    places: dict[str, int] = {}
    found = []
    for school in establishments(la_codes):
        place = places[school.la_code] = places.get(school.la_code, -1) + 1
        found.append((school, place))
    _check_upns_unique(found)
    return found


def _check_upns_unique(schools: list[tuple[Establishment, int]]) -> None:
    # pupils_for numbers a pupil's UPN (LA code, establishment digits, serial) as place * 10 +
    # pupil // 1000 and pupil % 1000: unique in the LA while places < 1,000 and rolls <= 10,000.
    if any(place >= 1000 or school.pupils > 10_000 for school, place in schools):
        raise ValueError("the register has outgrown the synthetic UPN scheme")


def sample(schools: list, fraction: float) -> list:
    """Evenly spaced through the register, so every LA and every size of school is represented."""
    if fraction >= 1:
        return schools
    return [
        school for n, school in enumerate(schools) if int((n + 1) * fraction) > int(n * fraction)
    ]


def hubs_for(count: int) -> list[str | None]:
    """30 schools to a hub, then 20 in no hub, in register order."""
    cycle = HUB_SIZE + LEFT_OUT
    return [f"H{n // cycle + 1:03d}" if n % cycle < HUB_SIZE else None for n in range(count)]


# --- one school's year --------------------------------------------------------------------------


def year_of_activity(
    school: Establishment, pupils: list[dict], reach: float, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """The demo's year of activity, with five more employer encounters for each year group."""
    yield from activities_for(school, pupils, YEAR, TODAY, reach, rng)
    by_group: dict[int, list[str]] = {}
    for pupil in pupils:
        by_group.setdefault(pupil["year_group"], []).append(pupil["upn"])
    for upns in by_group.values():
        for kind in MORE_EMPLOYER_KINDS:
            chosen = [upn for upn in upns if rng.random() < reach]
            if chosen:
                yield _employer_encounter(kind, chosen, rng)


def _employer_encounter(kind: str, attendees: list[str], rng: random.Random) -> dict[str, Any]:
    name, sector, size = rng.choice(EMPLOYERS)
    meaningful = rng.random() < 0.9
    return {
        "kind": kind,
        "title": kind.replace("_", " ").capitalize(),
        "occurred_on": days(YEAR, TODAY, rng),
        "attendees": attendees,
        "employer": {"name": name, "sector": sector, "size": size},
        "provider": None,
        "meaningful": meaningful,
        "criteria": CHECKS if meaningful else GAPPY,
    }


def school_year(school: Establishment, place: int) -> tuple[random.Random, list[dict], float]:
    """Seeded by URN, so a school holds the same pupils and activities in any sample and any
    writer."""
    rng = random.Random(f"national:{school.urn}")
    return rng, pupils_for(school, place, YEAR, rng), rng.choice(REACHES)


def ingest_school(
    app: Tracker, school: Establishment, place: int, hub: str | None, one_at_a_time: bool = False
) -> tuple[int, int]:
    """Through the use cases: register, join, enrol the roll in one batch, record the year's
    activities in one batch (as a bulk load from a school's MIS would), or one command each (as
    recorded day by day)."""
    register_establishment(app, school, LOADER)
    if hub:
        app.join_hub(hub, school.urn, YEAR.start - timedelta(days=365), caller=LOADER)
    rng, pupils, reach = school_year(school, place)
    app.enrol_pupils(school.urn, pupils, caller=LOADER)
    activities = list(year_of_activity(school, pupils, reach, rng))
    if one_at_a_time:
        for activity in activities:
            app.record_activity(school.urn, caller=LOADER, **activity)
    else:
        app.record_activities(school.urn, activities, caller=LOADER)
    _checklist(app, school.urn, YEAR, TODAY, rng)
    return len(pupils), len(activities)


def save_school_bare(app: Tracker, school: Establishment, place: int, one_at_a_time: bool) -> None:
    """The same events, batched the same way, through the library's `app.save` alone: aggregates
    built directly, with no reads, checks or command metadata."""
    rng, pupils, reach = school_year(school, place)
    roll = Roll(school.urn)
    app.save(School(school.urn, school.name, school.type, school.la_code, school.laestab), roll)
    students = []
    for pupil in pupils:
        student = Student(
            pupil["upn"], pupil["given_name"], pupil["family_name"], pupil["date_of_birth"]
        )
        student._enrolled(
            school.urn,
            pupil["enrolled_on"],
            pupil["year_group"],
            YEAR.start_year,
            pupil["sen"],
            pupil["pupil_premium"],
            pupil["given_name"],  # the names the school gave, as the enrolment use case records
            pupil["family_name"],
        )
        roll.admit(pupil["upn"], pupil["enrolled_on"])
        students.append(student)
    app.save(*students, roll)
    activities = [
        Activity(
            school.urn,
            a["kind"],
            a["title"],
            a["occurred_on"],
            a["employer"],
            a["provider"],
            a["meaningful"],
            a["criteria"],
            a["attendees"],
        )
        for a in year_of_activity(school, pupils, reach, rng)
    ]
    for batch in [[a] for a in activities] if one_at_a_time else [activities]:
        app.save(*batch)


# --- ingest, in writer processes --------------------------------------------------------------


def _write(url: str, share: Plan, number: int, one_at_a_time: bool, results: Any) -> None:
    app, began = tracker(url), time.perf_counter()
    totals = {"schools": 0, "pupils": 0, "activities": 0}
    for school, place, hub in share:
        pupils, activities = ingest_school(app, school, place, hub, one_at_a_time)
        totals = {
            "schools": totals["schools"] + 1,
            "pupils": totals["pupils"] + pupils,
            "activities": totals["activities"] + activities,
        }
        if totals["schools"] % 20 == 0:
            print(
                f"writer {number}: {totals['schools']}/{len(share)} schools, "
                f"{totals['pupils']:,} pupils, {time.perf_counter() - began:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    results.put({**totals, **_own_usage()})


def _own_usage() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_mib": usage.ru_maxrss / 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime}


def in_processes(target: Any, argument_lists: list[tuple]) -> list[dict]:
    """Run `target` in spawned processes, one per argument list; each puts one result on the
    queue."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [
        context.Process(target=target, args=(*arguments, results)) for arguments in argument_lists
    ]
    for process in processes:
        process.start()
    gathered = []
    while len(gathered) < len(processes):
        try:
            gathered.append(results.get(timeout=5))
        except queues.Empty:
            if any(process.exitcode not in (None, 0) for process in processes):
                raise RuntimeError("a spawned process failed (its traceback is above)") from None
    for process in processes:
        process.join()
    return gathered


def _project_alongside(url: str, ingested: Any, results: Any) -> None:
    """The projection worker as deployed: applying the log while it is written, then the rest."""
    app, store = tracker(url), view_store_for(url)
    store.drop_tables()
    store.create_tables()
    runner = Runner(app, store)
    runner.run_forever(ingested, poll_seconds=0.5)  # returns once the writers have finished
    finished = time.perf_counter()
    runner.catch_up()
    results.put(
        {
            "finished": time.time(),
            "last_page_seconds": time.perf_counter() - finished,
            "encounter_rows": store.query("SELECT COUNT(*) FROM {encounters}")[0][0],
            **_own_usage(),
        }
    )


def ingest(
    url: str, plan: Plan, writers: int, one_at_a_time: bool, alongside: bool = False
) -> dict[str, Any]:
    """Hubs first, then the schools shared out between writers; or nothing, if the store is already
    full.

    With `alongside`, a projection worker applies the log while the writers write it, and the
    figure that matters is the time until the views have caught up with the last write.
    """
    app = tracker(url)
    if (app.recorder.max_notification_id() or 0) > 0:
        return {"events": stored_events(url, app), "seconds": None, "reused": True}
    for code in sorted({hub for _, _, hub in plan if hub}):
        app.register_hub(code, f"Careers Hub {code}", "England", 1, caller=LOADER)
    context = multiprocessing.get_context("spawn")
    ingested, projected = context.Event(), context.Queue()
    projector = (
        context.Process(target=_project_alongside, args=(url, ingested, projected))
        if alongside
        else None
    )
    began, began_at, postgres_began = time.perf_counter(), time.time(), postgres_cpu_seconds()
    if projector:
        projector.start()
    shares = [(url, plan[n::writers], n, one_at_a_time) for n in range(writers)]
    done = in_processes(_write, shares)
    seconds = time.perf_counter() - began
    written = {
        "events": stored_events(url, app),
        "seconds": round(seconds, 1),
        "writers": writers,
        "activities_one_at_a_time": one_at_a_time,
        "activities": sum(d["activities"] for d in done),
        "writer_peak_mib": round(max(d["peak_mib"] for d in done)),
        "cpu_seconds": {"writers": round(sum(d["cpu_seconds"] for d in done))},
    }
    written["events_per_s"] = round(written["events"] / seconds)
    if projector:
        ingested.set()
        views = projected.get()
        projector.join()
        written["cpu_seconds"]["projection_worker"] = round(views["cpu_seconds"])
        written["projected_alongside"] = {
            "until_views_caught_up_seconds": round(views["finished"] - began_at, 1),
            "views_behind_at_end_seconds": round(views["finished"] - began_at - seconds, 1),
            "last_page_seconds": round(views["last_page_seconds"], 1),
            "encounter_rows": views["encounter_rows"],
            "peak_mib": round(views["peak_mib"]),
        }
    written["cpu_seconds"]["postgresql"] = round(postgres_cpu_seconds() - postgres_began)
    return written


def write_baseline(plan: Plan, one_at_a_time: bool) -> dict[str, Any]:
    """Ours and bare `app.save` over the same first schools, one process each, in fresh databases;
    bare both through our event recorder and through the library's own."""
    schools, pupils = [], 0
    for school, place, _ in plan:
        if pupils >= BASELINE_PUPILS:
            break
        schools.append((school, place))
        pupils += school.pupils
    ours = _events_per_second(
        lambda app: [ingest_school(app, s, p, None, one_at_a_time) for s, p in schools]
    )
    bare = _events_per_second(
        lambda app: [save_school_bare(app, s, p, one_at_a_time) for s, p in schools]
    )
    library = _events_per_second(
        lambda app: [save_school_bare(app, s, p, one_at_a_time) for s, p in schools],
        librarys_recorder=True,
    )
    return {
        "schools": len(schools),
        "pupils": pupils,
        "ours_events_per_s": round(ours),
        "bare_save_events_per_s": round(bare),
        "ours_vs_bare": f"{ours / bare:.0%}",
        "bare_save_librarys_recorder_events_per_s": round(library),
        "ours_vs_librarys": f"{ours / library:.0%}",
    }


def _events_per_second(work: Any, librarys_recorder: bool = False) -> float:
    with throwaway("postgres") as url:
        if librarys_recorder:
            settings = store_settings(url)
            del settings["APPLICATION_RECORDER_TOPIC"]
            app = Tracker(settings, today=lambda: TODAY)
        else:
            app = tracker(url)
        began = time.perf_counter()
        work(app)
        rate = stored_events(url, app) / (time.perf_counter() - began)
        app.close()
    return rate


# --- after ingest: size, catch-up, queries -------------------------------------------------------


def stored_events(url: str, app: Tracker) -> int:
    """Counted, not the last position: a transaction retried after a lost connection leaves gaps."""
    with psycopg.connect(url) as connection:
        query = sql.SQL("SELECT COUNT(*) FROM {}").format(
            sql.Identifier(app.recorder.events_table_name)
        )
        return connection.execute(query).fetchone()[0]


def database_mib(url: str) -> float:
    with psycopg.connect(url) as connection:
        return round(
            connection.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
        )


def analyse(url: str) -> float:
    """Fresh planner statistics for the new views, as a deployment would have after autovacuum."""
    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")
    return round(time.perf_counter() - began, 1)


def query_times(url: str, repeat: int, cold_repeat: int) -> dict[str, Any]:
    app, store = tracker(url), view_store_for(url)
    hubs = [row[0] for row in store.query("SELECT code FROM {hubs}")]
    reads = Reads(app, store, today=lambda: TODAY)
    national = reads.national_metrics()  # as a running server has it after its first national read

    def from_school_cache() -> Any:
        # Every school unchanged: the national figure re-summed from the per-school cache.
        reads.every_school.clear()
        return reads.national_metrics()

    return {
        "national": {
            key: getattr(national, key)
            for key in (
                "schools",
                "every_student_employer_encounters",
                "every_student_workplace_experience",
                "pupil_coverage",
            )
        },
        "non_hub_schools": national.non_hub.schools,
        "hubs": len(hubs),
        "national_metrics_cold": timed(
            lambda: Reads(app, store, today=lambda: TODAY).national_metrics(), cold_repeat
        ),
        "national_metrics_from_school_cache": timed(from_school_cache, 20),
        "hub_metrics_warm": timed(lambda: reads.hub_metrics(random.choice(hubs)), repeat),
        "hub_metrics_every_school_recomputed": timed(
            lambda: school_figures(store, TODAY, hub_members(store, random.choice(hubs), TODAY)), 20
        ),
    }


def counted_encounters(url: str) -> int:
    return view_store_for(url).query("SELECT COUNT(*) FROM {encounters} WHERE counts = 1")[0][0]


def extrapolate(result: dict[str, Any], scale: float) -> dict[str, Any]:
    """To the whole register, linearly in pupils: events, time, size and a national scan all grow
    with them."""
    ingest_s = result["ingest"]["seconds"]
    if "projected_alongside" in result["ingest"]:
        catch_up_s = None
        total_s = result["ingest"]["projected_alongside"]["until_views_caught_up_seconds"]
    else:
        catch_up_s = result["catch_up"]["seconds"]
        total_s = ingest_s + catch_up_s if ingest_s is not None else None
    total_minutes = total_s * scale / 60 if total_s is not None else None
    return {
        "scale": round(scale, 2),
        "events": round(result["ingest"]["events"] * scale),
        "ingest_minutes": round(ingest_s * scale / 60, 1) if ingest_s is not None else None,
        "catch_up_minutes": round(catch_up_s * scale / 60, 1) if catch_up_s is not None else None,
        "ingest_and_catch_up_minutes": round(total_minutes, 1) if total_minutes else None,
        "goal_30_minutes_met": total_minutes is not None and total_minutes < 30,
        "database_gib": round(result["database_mib"]["with_views"] * scale / 1024, 1),
        "national_metrics_cold_s": round(
            result["queries"]["national_metrics_cold"]["p50_ms"] * scale / 1000, 1
        ),
    }


def run(url: str, plan: Plan, args: argparse.Namespace) -> dict[str, Any]:
    pupils = sum(school.pupils for school, _, _ in plan)
    written = ingest(url, plan, args.writers, args.one_at_a_time, args.alongside)
    result = {
        "sample": {"schools": len(plan), "pupils": pupils, "fraction": args.fraction},
        "ingest": written,
    }
    if args.alongside:
        log_only = None  # the views grew with the log
    else:
        log_only = database_mib(url)
        raw = raw_read_rate(url)
        ours = in_processes(_catch_up, [(url,)])[
            0
        ]  # its own process, so the peak memory is the runner's
        result["catch_up"] = {
            "events": ours["events"],
            "seconds": round(ours["seconds"], 1),
            "events_per_s": round(ours["events"] / ours["seconds"]),
            "raw_read_decode_events_per_s": round(raw),
            "ours_vs_raw": f"{ours['events'] / ours['seconds'] / raw:.0%}",
            "encounter_rows": ours["encounter_rows"],
            "peak_mib": round(ours["peak_mib"]),
        }
    result["analyze_seconds"] = analyse(url)
    counted = counted_encounters(url)
    result["counted_encounters"] = {"rows": counted, "per_pupil": round(counted / pupils, 2)}
    result["database_mib"] = {"log_only": log_only, "with_views": database_mib(url)}
    result["queries"] = query_times(url, args.repeat, args.cold_repeat)
    return result


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument(
        "--fraction", type=float, default=1.0, help="share of the register's schools to take"
    )
    options.add_argument(
        "--writers", type=int, default=1, help="ingest processes, sharing the schools out"
    )
    options.add_argument(
        "--one-at-a-time",
        action="store_true",
        help="record each activity with its own command instead of a batch per school",
    )
    options.add_argument(
        "--alongside",
        action="store_true",
        help="run the projection worker while ingesting, as deployed, instead of after",
    )
    options.add_argument("--repeat", type=int, default=200, help="hub metric reads")
    options.add_argument(
        "--cold-repeat", type=int, default=5, help="national reads from nothing cached"
    )
    options.add_argument(
        "--keep", help="generate into (or reuse) this database and leave it in place"
    )
    args = options.parse_args()
    print(describe(ADMIN_URL))
    began = time.perf_counter()
    schools = register()
    taken = sample(schools, args.fraction)
    plan = [
        (school, place, hub)
        for (school, place), hub in zip(taken, hubs_for(len(taken)), strict=True)
    ]
    result = {
        "server": server_settings(ADMIN_URL),
        "register": {
            "schools": len(schools),
            "pupils": sum(school.pupils for school, _ in schools),
        },
        "write_baseline": write_baseline(plan, args.one_at_a_time),
    }
    with throwaway("postgres", args.keep) as url:
        result.update(run(url, plan, args))
    result["extrapolated_to_register"] = extrapolate(
        result, result["register"]["pupils"] / result["sample"]["pupils"]
    )
    result["wall_clock_minutes"] = round((time.perf_counter() - began) / 60, 1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
