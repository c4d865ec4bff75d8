"""The worked example of metrics.md, written once for every test that needs it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.application import Tracker
from tracker.domain.base import Caller

ADMIN = Caller("admin@example", "req-admin")
SCHOOL_A, SCHOOL_B = "900001", "900002"


@dataclass(frozen=True)
class Pupil:
    name: str
    upn: str
    urn: str
    year_group: int

    @property
    def date_of_birth(self) -> date:
        """Born mid-January so the age-expected year group in 2018/19 is `year_group`."""
        return date(2018 - (self.year_group + 4), 1, 15)


PUPILS = [
    Pupil("p1", "R885400112001", SCHOOL_A, 7),
    Pupil("p2", "F885400112002", SCHOOL_A, 7),
    Pupil("p3", "V885400112003", SCHOOL_A, 11),
    Pupil("p4", "J885400112004", SCHOOL_A, 11),
    Pupil("p5", "Y885400112005", SCHOOL_A, 13),
    Pupil("p6", "A885400212001", SCHOOL_B, 8),
    Pupil("p7", "P885400212002", SCHOOL_B, 11),
]
UPN = {p.name: p.upn for p in PUPILS}
EMPLOYER = {"name": "Acme Engineering", "sector": "manufacturing", "size": "large"}


def register_hub_and_schools(app: Tracker) -> None:
    app.register_hub("DEMO", "Demo Careers Hub", "Worcestershire", 1, caller=ADMIN)
    app.register_school(
        SCHOOL_A, "School A", "secondary", "885", "8854001", last_year_group=13, caller=ADMIN
    )
    app.register_school(SCHOOL_B, "School B", "secondary", "885", "8854002", caller=ADMIN)
    for urn in (SCHOOL_A, SCHOOL_B):
        app.join_hub("DEMO", urn, date(2018, 9, 1), caller=ADMIN)


def enrol(app: Tracker, pupil: Pupil, on: date = date(2018, 9, 3), urn: str | None = None):
    return app.enrol_pupil(
        urn or pupil.urn,
        pupil.upn,
        pupil.name.upper(),
        "Pupil",
        pupil.date_of_birth,
        pupil.year_group,
        on,
        caller=ADMIN,
    )


def activity(
    app: Tracker, urn: str, kind: str, on: date, names: list[str], meaningful: bool | None = True
):
    return app.record_activity(
        urn,
        kind,
        f"{kind} on {on}",
        on,
        [UPN[n] for n in names],
        employer=EMPLOYER,
        meaningful=meaningful,
        caller=ADMIN,
    )


def placement(app: Tracker, name: str, completed_on: date):
    written = app.arrange_placement(
        SCHOOL_A,
        UPN[name],
        "work_experience",
        EMPLOYER,
        completed_on.replace(day=1) if completed_on.day > 5 else completed_on,
        completed_on,
        caller=ADMIN,
    )
    app.complete_placement(written.id, completed_on, 30, caller=ADMIN)
    return written


def build_worked_example(app: Tracker) -> dict[str, str]:
    """Record every fact of the worked example; returns the ids of the activities."""
    register_hub_and_schools(app)
    for pupil in PUPILS:
        enrol(app, pupil)
    ids = {
        "fair": activity(
            app, SCHOOL_A, "careers_fair", date(2018, 11, 15), ["p1", "p2", "p3", "p4"]
        ).id
    }
    activity(app, SCHOOL_A, "employer_talk", date(2019, 2, 1), ["p5"])
    app.record_leaving(SCHOOL_A, UPN["p2"], date(2019, 2, 28), "moved_away", caller=ADMIN)
    enrol(app, PUPILS[1], on=date(2019, 3, 1), urn=SCHOOL_B)
    activity(app, SCHOOL_A, "workplace_visit", date(2019, 3, 10), ["p3"], meaningful=None)
    placement(app, "p4", date(2019, 4, 20))
    placement(app, "p5", date(2018, 12, 7))
    activity(app, SCHOOL_B, "employer_talk", date(2019, 1, 20), ["p6", "p7"], meaningful=False)
    activity(app, SCHOOL_B, "mentoring", date(2019, 3, 1), ["p6", "p7"])
    activity(app, SCHOOL_B, "workplace_visit", date(2019, 3, 5), ["p7"], meaningful=None)
    return ids
