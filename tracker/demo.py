"""A demo hub from the real register: Worcestershire's schools, synthetic pupils, three years of
activity with the rollover each September: leavers with destinations, followed up a year on, and new
Year 7s."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any, Callable, Iterator

from tracker.application import Tracker
from tracker.calendar import AcademicYear
from tracker.config import store_settings
from tracker.domain.base import Caller
from tracker.identifiers import make_upn

DEMO = Caller("demo", "demo")
EMPLOYERS = [
    ("Worcester Bosch", "engineering", "large"),
    ("Mazak", "manufacturing", "large"),
    ("Worcestershire Acute Hospitals", "health", "large"),
    ("Malvern Instruments", "science", "medium"),
    ("Kidderminster Carpets", "manufacturing", "small"),
    ("Local Builders Co", "construction", "micro"),
]
CHECKS = {
    "purpose_shared": True,
    "outcomes": True,
    "two_way": True,
    "reflection": True,
    "employer_task": True,
}
GAPPY = {
    "purpose_shared": True,
    "outcomes": False,
    "two_way": True,
    "reflection": False,
    "employer_task": False,
}


# With the library's fast-forward on (the API's setting, where other processes write too), an
# aggregate is cached when read, never as saved, and each read from the cache first asks the store
# for newer events: the demo's 94,000 loads of pupils (rollovers, destinations) were each a query,
# half of them a replay. The demo fills its store as the only writer, so it caches what it saves and
# reads it back without asking; each command still gets its own copy, so a refused one leaves
# nothing behind. Were another writer to change one of the demo's aggregates meanwhile, the demo's
# next save of it would conflict on its version and the demo stop with ConcurrentChange. The cache
# keeps the 20,000 latest (Tracker.env), more than any school's roll: the demo goes school by
# school.
SOLE_WRITER = {"AGGREGATE_CACHE_FASTFORWARD": "n"}


def sole_writer(url: str, cipher_key: str | None = None, **kwargs: Any) -> Tracker:
    """The application as the demo runs it: the only writer to the store at `url` while it
    builds."""
    return Tracker({**store_settings(url, cipher_key), **SOLE_WRITER}, **kwargs)


@dataclass(frozen=True)
class Establishment:
    urn: str
    laestab: str
    la_code: str
    name: str
    type: str
    pupils: int


def register_rows(la_code: str | None = None) -> Iterator[dict[str, str]]:
    """Rows of the shipped register (DfE, Open Government Licence), optionally for one LA."""
    with (
        resources.files("tracker")
        .joinpath("data/schools-england.csv")
        .open(encoding="utf-8") as file
    ):
        for row in csv.DictReader(file):
            if la_code is None or row["la_code"] == la_code:
                yield row


def our_type(row: dict[str, str]) -> str:
    kind, name = row["school_type"].lower(), row["name"].lower()
    if "middle" in name:
        return "middle"
    if "special" in kind:
        return "special"
    if "pupil referral" in kind or " ap" in f" {kind}" or "alternative" in kind:
        return "alternative_provision"
    if "sixth form college" in kind:
        return "sixth_form_college"
    if "further education" in kind or "college" in kind and "fe" in kind:
        return "fe_college"
    if "studio" in kind or "utc" in kind or "university technical" in kind:
        return "utc"
    return "secondary"


def establishments(la_codes: tuple[str, ...]) -> list[Establishment]:
    found = []
    for la_code in la_codes:
        for row in register_rows(la_code):
            found.append(
                Establishment(
                    row["urn"],
                    row["laestab"],
                    row["la_code"],
                    row["name"],
                    our_type(row),
                    max(1, round(float(row["secondary_pupils"] or 0))),
                )
            )
    return found


def year_groups_for(school: Establishment) -> list[int]:
    if school.type == "middle":
        return [5, 6, 7, 8]
    return [7, 8, 9, 10, 11, 12, 13] if school.pupils > 900 else [7, 8, 9, 10, 11]


def register_establishment(app: Any, school: Establishment, caller: Caller) -> None:
    """A school from the register, teaching the year groups of its type and phase."""
    taught = year_groups_for(school)
    app.register_school(
        school.urn,
        school.name,
        school.type,
        school.la_code,
        school.laestab,
        first_year_group=taught[0],
        last_year_group=taught[-1],
        caller=caller,
    )


def pupils_for(
    school: Establishment,
    index: int,
    year: AcademicYear,
    rng: random.Random,
    groups: list[int] | None = None,
    count: int | None = None,
) -> list[dict[str, Any]]:
    """The school's roll at the start of `year` (or `count` pupils in `groups`: an intake), enrolled
    that day."""
    groups = groups or year_groups_for(school)
    result = []
    for n in range(school.pupils if count is None else count):
        group = groups[n % len(groups)]
        establishment = f"{(index * 10 + n // 1000) % 10000:04d}"
        result.append(
            {
                "upn": make_upn(school.la_code, establishment, year.start_year % 100, n % 1000),
                "given_name": rng.choice(GIVEN),
                "family_name": rng.choice(FAMILY),
                "date_of_birth": date(
                    year.start_year - group - 4, rng.randint(1, 12), rng.randint(1, 28)
                ),
                "year_group": group,
                "enrolled_on": year.start,
                "sen": rng.random() < 0.12,
                "pupil_premium": rng.random() < 0.25,
            }
        )
    return result


GIVEN = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Leo",
    "Freya",
    "Arthur",
    "Zara",
    "Yusuf",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Khan",
    "Patel",
    "Evans",
    "Walker",
    "Wright",
]


def days(year: AcademicYear, today: date, rng: random.Random) -> date:
    last = min(today, year.end)
    return year.start + timedelta(days=rng.randint(7, max(7, (last - year.start).days)))


def activities_for(
    school: Establishment,
    pupils: list[dict],
    year: AcademicYear,
    today: date,
    reach: float,
    rng: random.Random,
) -> Iterator[dict[str, Any]]:
    """A year of activity; `reach` (0–1) is how much of each year group this school gets to."""
    by_group: dict[int, list[str]] = {}
    for pupil in pupils:
        by_group.setdefault(pupil["year_group"], []).append(pupil["upn"])
    for group, upns in by_group.items():
        for kind in ("careers_fair", "employer_talk", "mentoring"):
            chosen = [u for u in upns if rng.random() < reach]
            if chosen:
                yield _activity(kind, chosen, year, today, rng, meaningful=rng.random() < 0.9)
        if group in (10, 11, 12, 13):
            # Two experiences of a workplace: the 2024 rules ask for two by the end of Year 11.
            for kind in ("workplace_visit", "job_shadowing", "fe_encounter", "he_encounter"):
                chosen = [u for u in upns if rng.random() < reach]
                if chosen:
                    yield _activity(kind, chosen, year, today, rng, meaningful=True)
        if group in (11, 13):
            for upn in upns:
                if rng.random() < reach:
                    yield _activity("guidance_meeting", [upn], year, today, rng, meaningful=True)


def _activity(
    kind: str,
    attendees: list[str],
    year: AcademicYear,
    today: date,
    rng: random.Random,
    meaningful: bool,
) -> dict[str, Any]:
    name, sector, size = rng.choice(EMPLOYERS)
    return {
        "kind": kind,
        "title": kind.replace("_", " ").capitalize(),
        "occurred_on": days(year, today, rng),
        "attendees": attendees,
        "employer": {"name": name, "sector": sector, "size": size},
        "provider": {"name": "Heart of Worcestershire College", "type": "fe_college"}
        if kind.startswith("fe")
        else {"name": "University of Worcester", "type": "university"}
        if kind.startswith(("he", "univ"))
        else None,
        "meaningful": meaningful,
        "criteria": CHECKS if meaningful else GAPPY,
    }


# Where leavers go, roughly as England's KS4 and KS5 destination measures have it.
DESTINATION_SHARES = {
    11: [
        ("school_sixth_form", 38),
        ("sixth_form_college", 14),
        ("fe_college", 30),
        ("apprenticeship", 7),
        ("employment_with_training", 2),
        ("neet", 4),
        ("moved_away", 3),
        ("unknown", 2),
    ],
    13: [
        ("higher_education", 55),
        ("apprenticeship", 10),
        ("employment_with_training", 9),
        ("employment", 12),
        ("other_fe", 5),
        ("neet", 5),
        ("unknown", 4),
    ],
}


def build_demo(
    app: Any,
    la_codes: tuple[str, ...] = ("885",),
    hub: str = "WORCS",
    progress: Callable[[str, int], None] = lambda what, n: None,
    seed: int = 2018,
    hub_size: int | None = None,
    outside: tuple[str, ...] = (),
    years: int = 3,
) -> dict[str, int]:
    """Register the hub and its schools, enrol their pupils, and record `years` academic years of
    activity, the last one so far; each September the rollover, leavers' destinations and a new Year
    7.

    The schools of `la_codes` join the hub (the first `hub_size` of them, if given); those of
    `outside` are recorded the same way but join no hub, so the non-hub figures have schools.
    """
    rng, today = random.Random(seed), app.today()
    this_year = AcademicYear.containing(today)
    first = AcademicYear(this_year.start_year - years + 1)
    app.register_hub(hub, "Worcestershire Careers Hub", "Worcestershire", 1, caller=DEMO)
    in_hub = establishments(la_codes)[:hub_size]
    totals = {"schools": 0, "pupils": 0, "activities": 0, "leavers": 0, "hub_schools": len(in_hub)}
    for index, school in enumerate(establishments(la_codes + outside)):
        register_establishment(app, school, DEMO)
        if school in in_hub:
            app.join_hub(hub, school.urn, first.start - timedelta(days=365), caller=DEMO)
        roll, reach, leavers = (
            pupils_for(school, index, first, rng),
            rng.choice([0.55, 0.7, 0.85, 0.95, 1.0, 1.0]),
            {},
        )
        app.enrol_pupils(school.urn, roll, caller=DEMO)
        totals["pupils"] += len(roll)
        for year in (
            AcademicYear(start) for start in range(first.start_year, this_year.start_year + 1)
        ):
            if year != first:
                roll, leavers, joined = _new_year(
                    app, school, index, year, roll, leavers, today, rng
                )
                totals["pupils"] += joined
                totals["leavers"] += len(leavers)
            activities = list(activities_for(school, roll, year, today, reach, rng))
            app.record_activities(school.urn, activities, caller=DEMO)
            totals["activities"] += len(activities)
            _checklist(app, school.urn, year, today, rng)
        totals["schools"] += 1
        progress(school.name, len(roll))
    return totals


def _new_year(
    app: Any,
    school: Establishment,
    index: int,
    year: AcademicYear,
    roll: list[dict[str, Any]],
    last_leavers: dict[str, str],
    today: date,
    rng: random.Random,
) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    """1 September: the rollover (leavers' destinations learnt in the autumn, last year's followed
    up), everyone else up a year, and a new first year group. Returns the roll, the leavers and how
    many joined."""
    left = set(app.roll_over(school.urn, str(year), caller=DEMO).id.split())
    leavers = {p["upn"]: _destination(p["year_group"], rng) for p in roll if p["upn"] in left}
    autumn = min(today, year.start + timedelta(days=rng.randint(20, 50)))
    if known := {upn: where for upn, where in leavers.items() if rng.random() < 0.85}:
        app.record_destinations(school.urn, known, autumn, caller=DEMO)
    if followed := {
        upn: (where if rng.random() < 0.8 else "employment")
        for upn, where in last_leavers.items()
        if rng.random() < 0.6
    }:
        app.record_destinations(school.urn, followed, autumn, caller=DEMO)
    taught = year_groups_for(school)
    joining = pupils_for(
        school, index, year, rng, groups=taught[:1], count=max(1, school.pupils // len(taught))
    )
    app.enrol_pupils(school.urn, joining, caller=DEMO)
    staying = [{**p, "year_group": p["year_group"] + 1} for p in roll if p["upn"] not in left]
    return staying + joining, leavers, len(joining)


def _destination(year_group: int, rng: random.Random) -> str:
    choices = DESTINATION_SHARES[13 if year_group >= 13 else 11]
    return rng.choices([where for where, _ in choices], [share for _, share in choices])[0]


def _checklist(app: Any, urn: str, year: AcademicYear, today: date, rng: random.Random) -> None:
    """The year's review of benchmarks 1-4: most criteria met, on days through the year, in one
    save."""
    from tracker.rulesets import rule_set_for

    changes = [
        {
            "benchmark": benchmark,
            "code": criterion.code,
            "met": True,
            "evidence": "demo evidence",
            "changed_on": days(year, today, rng),
        }
        for benchmark, criteria in rule_set_for(year).checklist.items()
        for criterion in criteria
        if rng.random() < 0.75
    ]
    if changes:
        app.change_criteria(urn, changes, caller=DEMO)
