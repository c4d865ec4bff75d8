"""docs/employers.md's worked example: a small hub, two years, duplicates merged, one placement
host asked twice. Written once, for the test that reproduces it on every store."""

from __future__ import annotations

from datetime import date

from tracker.application import Tracker
from tracker.domain.base import Caller
from tracker.domain.organisation import organisation_id

ADMIN = Caller("admin@example", "req-admin")
HUB_LEAD = Caller("lead@example", "req-lead")
S1, S2 = "900101", "900102"
PUPILS = {  # Year 10 in 2018/19
    "a1": ("R885400112001", S1),
    "a2": ("F885400112002", S1),
    "a3": ("V885400112003", S1),
    "b1": ("A885400212001", S2),
    "b2": ("P885400212002", S2),
}
BROOK = {"name": "Brook Builders Ltd", "sector": "F", "size": "small"}
BROOK_TYPO = {"name": "BROOK BUILDERS"}  # the same name once matched: no merge needed
BROOK_NORTH = {"name": "Brook Builders (North)", "sector": "construction", "size": "medium"}
COLE = {"name": "Cole & Sons", "sector": "wholesale", "size": "micro"}
COLE_AGAIN = {"name": "Cole and Sons Limited"}
BROOK_ID = str(organisation_id("employer", "Brook Builders"))
NORTH_ID = str(organisation_id("employer", "Brook Builders (North)"))
MERGED_ON, UNMERGED_ON = date(2020, 5, 1), date(2020, 6, 1)


class Clock:
    """The application's today, moved on as the example's days pass."""

    def __init__(self, today: date):
        self.today = today

    def __call__(self) -> date:
        return self.today


def build_employer_example(app: Tracker) -> None:
    """Every fact of the example up to the merge (made by `merge` on `MERGED_ON`)."""
    app.register_hub("NORTH", "North Hub", "Tyneside", 2, caller=ADMIN)
    for urn in (S1, S2):
        app.register_school(
            urn, f"School {urn}", "secondary", "885", f"885{urn[-4:]}", caller=ADMIN
        )
        app.join_hub("NORTH", urn, date(2018, 9, 1), caller=ADMIN)
    for name, (upn, urn) in PUPILS.items():
        born = date(2004, 1, 15)
        app.enrol_pupil(urn, upn, name.upper(), "Pupil", born, 10, date(2018, 9, 3), caller=ADMIN)
    app.register_organisation("employer", "Brook Builders Ltd", BROOK, caller=ADMIN)
    _talk(app, S1, "employer_talk", date(2018, 10, 10), BROOK, ["a1", "a2", "a3"])
    _talk(app, S2, "careers_fair", date(2018, 11, 20), COLE, ["b1", "b2"])
    _talk(app, S2, "employer_talk", date(2019, 2, 5), BROOK_TYPO, ["b1"])
    _placement(app, "a2", BROOK, date(2019, 6, 20), "no")
    _talk(app, S1, "employer_talk", date(2019, 9, 20), BROOK, ["a2"])
    _talk(app, S1, "mentoring", date(2019, 10, 15), COLE_AGAIN, ["a1"])
    _talk(app, S2, "workplace_visit", date(2019, 11, 12), BROOK_NORTH, ["b2"])
    _placement(app, "a3", BROOK_NORTH, date(2020, 3, 10), "yes")


def _talk(app, urn, kind, on, employer, names):
    upns = [PUPILS[name][0] for name in names]
    meaningful = None if kind == "workplace_visit" else True
    app.record_activity(
        urn, kind, f"{kind} {on}", on, upns, employer=employer, meaningful=meaningful, caller=ADMIN
    )


def _placement(app, name, employer, on, would_host):
    upn, urn = PUPILS[name]
    placement = app.arrange_placement(urn, upn, "work_experience", employer, on, on, caller=ADMIN)
    app.complete_placement(placement.id, on, 30, would_host=would_host, caller=ADMIN)
