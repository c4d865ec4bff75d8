"""Write path: events/s for enrolling pupils and recording 30-pupil activities, beside bare
`app.save`.

python -m bench.write_path [--pupils 2000] [--activities 500] [--rounds 5]
                           [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from bench.databases import ADMIN_URL, throwaway
from bench.machine import describe, median
from tracker.application import Tracker
from tracker.domain.activity import Activity
from tracker.domain.roll import Roll
from tracker.domain.student import Student
from tracker.identifiers import make_upn

TODAY = date(2019, 7, 15)
EMPLOYER = {"name": "Acme", "sector": "engineering", "size": "large"}


def synthetic_upns(count: int, year: int, first_establishment: int) -> list[str]:
    """Valid UPNs, a thousand to an establishment number (serials have three digits)."""
    return [
        make_upn("885", f"{first_establishment + n // 1000:04d}", year, n % 1000)
        for n in range(count)
    ]


def fresh(url: str, urn: str) -> Tracker:
    app = Tracker.from_url(url, today=lambda: TODAY)
    app.register_school(urn, "Bench School", "secondary", "885", "885" + urn[-4:])
    return app


def rate(app: Tracker, work) -> float:
    before = app.recorder.max_notification_id() or 0
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    return ((app.recorder.max_notification_id() or 0) - before) / elapsed


def ours_enrol(app: Tracker, urn: str, upns: list[str]) -> None:
    for upn in upns:
        app.enrol_pupil(urn, upn, "Given", "Family", date(2007, 1, 15), 7, date(2018, 9, 3))


def bare_enrol(app: Tracker, urn: str, upns: list[str]) -> None:
    roll = app.repository.get(Roll.create_id(urn))
    for upn in upns:  # the same three events, saved the same way, with no reads or checks
        student = Student(upn, "Given", "Family", date(2007, 1, 15))
        student._enrolled(urn, date(2018, 9, 3), 7, 2018, False, False)
        roll.admit(upn, date(2018, 9, 3))
        app.save(student, roll)


def ours_activity(app: Tracker, urn: str, groups: list[list[str]]) -> None:
    for group in groups:
        app.record_activity(
            urn,
            "careers_fair",
            "Fair",
            date(2018, 11, 15),
            group,
            employer=EMPLOYER,
            meaningful=True,
        )


def bare_activity(app: Tracker, urn: str, groups: list[list[str]]) -> None:
    for group in groups:
        app.save(
            Activity(
                urn, "careers_fair", "Fair", date(2018, 11, 15), EMPLOYER, None, True, None, group
            )
        )


def measure(url: str, pupils: int, activities: int, round_number: int) -> dict[str, float]:
    urn = f"9{round_number:02d}001"
    upns = synthetic_upns(pupils, round_number, 4000)
    app = fresh(url, urn)
    results = {"enrol ours": rate(app, lambda: ours_enrol(app, urn, upns))}
    bare_urn = f"9{round_number:02d}002"
    bare_app = fresh(url, bare_urn)
    bare_upns = synthetic_upns(pupils, round_number, 6000)
    results["enrol bare"] = rate(bare_app, lambda: bare_enrol(bare_app, bare_urn, bare_upns))
    groups = [upns[(i * 30) % (pupils - 30) :][:30] for i in range(activities)]
    results["activity ours"] = rate(app, lambda: ours_activity(app, urn, groups))
    results["activity bare"] = rate(app, lambda: bare_activity(app, urn, groups))
    app.close()
    bare_app.close()
    return results


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--pupils", type=int, default=2000)
    options.add_argument("--activities", type=int, default=500)
    options.add_argument("--rounds", type=int, default=5)
    options.add_argument("--backends", default="sqlite,postgres")
    args = options.parse_args()
    print(describe(ADMIN_URL if "postgres" in args.backends else None))
    print(
        f"pupils {args.pupils}, activities {args.activities} of 30 pupils, rounds {args.rounds}; "
        "medians in events/s\n"
    )
    print(f"{'backend':10} {'path':10} {'ours':>10} {'bare save':>10} {'ours/bare':>10}")
    for backend in args.backends.split(","):
        with throwaway(backend) as url:
            rounds = [measure(url, args.pupils, args.activities, n + 1) for n in range(args.rounds)]
        for path in ("enrol", "activity"):
            ours = median([r[f"{path} ours"] for r in rounds])
            bare = median([r[f"{path} bare"] for r in rounds])
            print(f"{backend:10} {path:10} {ours:10.0f} {bare:10.0f} {ours / bare:10.0%}")


if __name__ == "__main__":
    main()
