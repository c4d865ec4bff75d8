"""For random histories, the incrementally built views, a rebuild, and the reference all agree."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.metrics import _counts, school_figures
from projections.rebuild import verify
from projections.runner import Runner
from projections.store import SQLiteViewStore
from tests import reference
from tracker.application import Tracker
from tracker.errors import TrackerError
from tracker.identifiers import make_upn
from tracker.rulesets import ACTIVITY_KINDS

SCHOOLS = {"900001": "secondary", "900002": "fe_college", "900003": "middle"}
KINDS = sorted(ACTIVITY_KINDS)
EMPLOYER = {"name": "Acme", "size": "small"}
PROVIDER = {"name": "Town College", "type": "fe_college"}
ALL_CHECKS = {
    "purpose_shared": True,
    "outcomes": True,
    "two_way": True,
    "reflection": True,
    "employer_task": True,
}

day = st.integers(min_value=0, max_value=316)
pupil = st.integers(min_value=0, max_value=11)
school = st.sampled_from(sorted(SCHOOLS))
activity = st.tuples(
    st.just("activity"),
    school,
    st.sampled_from(KINDS),
    day,
    st.sets(pupil, min_size=1, max_size=5),
    st.booleans(),
)
step = st.one_of(
    st.tuples(st.just("enrol"), pupil, school, day),
    st.tuples(st.just("leave"), pupil, day),
    activity,
    activity,
    activity,
    activity,
    st.tuples(st.just("attendees"), st.integers(0, 20), pupil, st.booleans()),
    st.tuples(st.just("amend"), st.integers(0, 20), day, st.booleans()),
    st.tuples(st.just("retract"), st.integers(0, 20)),
    st.tuples(st.just("placement"), pupil, day),
    st.tuples(st.just("placement"), pupil, day),
    st.tuples(st.just("year_group"), pupil, st.sampled_from([-1, 1])),
    st.tuples(
        st.just("criterion"), school, st.integers(1, 4), st.integers(0, 3), st.booleans(), day
    ),
    st.tuples(st.just("catch_up"), st.integers(1, 7)),
)


class History:
    """Drives the application with random steps; refused commands are simply refused."""

    def __init__(self, era: int, year_groups: list[int], years: int = 1):
        self.start = date(era, 9, 1)
        self.app = Tracker.from_url("memory://", today=lambda: date(era + years, 7, 15))
        self.store = SQLiteViewStore(":memory:")
        self.store.create_tables()
        self.upns = [make_upn("885", "4001", era % 100, n) for n in range(12)]
        self.year_groups = year_groups
        self.activities: list[str] = []
        self.app.register_hub("H", "Hub", "Area", 1)
        for urn, kind in SCHOOLS.items():
            self.app.register_school(urn, f"School {urn}", kind, "885", "885" + urn[-4:])
            self.app.join_hub("H", urn, self.start)

    def on(self, offset: int) -> date:
        return self.start + timedelta(days=offset)

    def run(self, step: tuple) -> None:
        try:
            getattr(self, step[0])(*step[1:])
        except TrackerError:
            pass

    def enrol(self, p: int, urn: str, offset: int) -> None:
        group = self.year_groups[p]
        born = date(self.start.year - group - 4, 3, 1)
        self.app.enrol_pupil(urn, self.upns[p], "Given", "Family", born, group, self.on(offset))

    def leave(self, p: int, offset: int) -> None:
        current = self.app._student(self.upns[p]).current_enrolment
        if current:
            self.app.record_leaving(current.school_urn, self.upns[p], self.on(offset))

    def activity(
        self, urn: str, kind: str, offset: int, pupils: set[int], meaningful: bool
    ) -> None:
        # Keep to pupils on roll that day, so most random activities are accepted.
        wanted = [self.upns[p] for p in sorted(pupils)]
        absent = set(self.app._roll(urn).absent_on(wanted, self.on(offset)))
        attendees = [upn for upn in wanted if upn not in absent] or self._on_roll(urn, offset)
        attendees = attendees[: 1 if kind == "guidance_meeting" else None]
        written = self.app.record_activity(
            urn,
            kind,
            kind,
            self.on(offset),
            attendees,
            employer=EMPLOYER,
            provider=PROVIDER,
            meaningful=meaningful,
            criteria=ALL_CHECKS if meaningful else {"two_way": True},
        )
        self.activities.append(written.id)

    def _on_roll(self, urn: str, offset: int) -> list[str]:
        roll = self.app._roll(urn)
        return [upn for upn in self.upns if roll.is_on_roll(upn, self.on(offset))]

    def attendees(self, n: int, p: int, add: bool) -> None:
        if self.activities:
            change = {"add": [self.upns[p]]} if add else {"remove": [self.upns[p]]}
            self.app.change_attendees(self.activities[n % len(self.activities)], **change)

    def amend(self, n: int, offset: int, meaningful: bool) -> None:
        if self.activities:
            self.app.amend_activity(
                self.activities[n % len(self.activities)],
                {"occurred_on": self.on(offset), "meaningful": meaningful},
                "correction",
            )

    def retract(self, n: int) -> None:
        if self.activities:
            self.app.retract_activity(self.activities[n % len(self.activities)], "mistake")

    def placement(self, p: int, offset: int) -> None:
        current = self.app._student(self.upns[p]).current_enrolment
        if current:
            written = self.app.arrange_placement(
                current.school_urn,
                self.upns[p],
                "work_experience",
                EMPLOYER,
                self.on(offset),
                self.on(offset),
            )
            self.app.complete_placement(written.id, self.on(offset), 7)

    def year_group(self, p: int, change: int) -> None:
        self.app.change_year_group(
            self.upns[p],
            self.year_groups[p] + change,
            f"{self.start.year}/{(self.start.year + 1) % 100:02d}",
        )

    def criterion(self, urn: str, benchmark: int, index: int, met: bool, offset: int) -> None:
        self.app.change_criterion(
            urn, benchmark, f"{benchmark}.{index + 1}", met, "evidence", self.on(offset)
        )

    def catch_up(self, page_size: int) -> None:
        Runner(self.app, self.store, page_size=page_size).catch_up()


def view_figures(store, urn: str, d: date) -> dict[int, tuple]:
    figures = school_figures(store, d, [urn])[urn].benchmarks
    return {b: (f.measured, f.met) if b >= 5 else f.score for b, f in figures.items()}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    era=st.sampled_from([2018, 2025]),
    year_groups=st.lists(st.integers(6, 13), min_size=12, max_size=12),
    placed=st.lists(st.tuples(school, st.integers(0, 30)), min_size=12, max_size=12),
    steps=st.lists(step, min_size=20, max_size=60),
    dates=st.lists(day, min_size=1, max_size=4),
)
def test_views_rebuild_and_reference_agree_on_random_histories(
    era, year_groups, placed, steps, dates
):
    history = History(era, year_groups)
    for p, (urn, offset) in enumerate(placed):
        history.run(("enrol", p, urn, offset))
    for one in steps:
        history.run(one)
    history.catch_up(page_size=50)
    world = reference.world_from(
        history.app.mapper.to_domain_event(n)
        for n in history.app.recorder.select_notifications(start=1, limit=100_000)
    )
    for offset in dates:
        for urn in SCHOOLS:
            d = history.on(offset)
            assert view_figures(history.store, urn, d) == reference.school_figures(world, urn, d), (
                urn,
                d,
            )
    assert verify(history.app, history.store) == []


two_years = st.integers(min_value=0, max_value=680)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    era=st.sampled_from([2018, 2025]),
    year_groups=st.lists(st.integers(6, 12), min_size=12, max_size=12),
    placed=st.lists(st.tuples(school, two_years), min_size=12, max_size=12),
    steps=st.lists(step, min_size=20, max_size=60),
    shifts=st.lists(st.booleans(), min_size=60, max_size=60),
    dates=st.lists(two_years, min_size=1, max_size=4),
)
def test_figures_in_a_year_before_a_pupils_latest_agree_with_the_reference(
    era, year_groups, placed, steps, shifts, dates
):
    """Over two academic years, the figures of the first (read through every year's employer dates)
    and of the second (read from each pupil's row) match the reference; both forms of the query
    agree."""
    history = History(era, year_groups, years=2)
    for p, (urn, offset) in enumerate(placed):
        history.run(("enrol", p, urn, offset))
    for one, later in zip(
        steps, shifts, strict=False
    ):  # about half the dated steps moved into the second year
        moved = tuple(
            value + 365 if later and isinstance(value, int) and k == _DAY[one[0]] else value
            for k, value in enumerate(one)
        )
        history.run(moved)
    history.catch_up(page_size=50)
    world = reference.world_from(
        history.app.mapper.to_domain_event(n)
        for n in history.app.recorder.select_notifications(start=1, limit=100_000)
    )
    for offset in dates:
        d = history.on(offset)
        for urn in SCHOOLS:
            assert view_figures(history.store, urn, d) == reference.school_figures(world, urn, d), (
                urn,
                d,
            )
        assert sorted(_counts(history.store, d, None, from_row=True)) == sorted(
            _counts(history.store, d, None, from_row=False)
        ), d


def test_last_years_employer_encounters_count_in_last_years_figures_whichever_way_they_are_read():
    history = History(2025, [9] * 12, years=2)
    for p in range(12):
        history.run(("enrol", p, "900001", 0))
    history.run(("activity", "900001", "employer_talk", 30, {0, 1, 2}, True))
    history.run(("activity", "900001", "employer_talk", 400, {0, 1}, True))  # the next year
    history.catch_up(page_size=50)
    last_year, this_year = history.on(100), history.on(500)
    for d, met in ((last_year, 3), (this_year, 2)):
        for from_row in (True, False):
            (row,) = _counts(history.store, d, ["900001"], from_row=from_row)
            assert row[2:4] == (12, met), (d, from_row)


# Where each kind of step carries its day, so it can be moved into the second year.
_DAY = {"enrol": 3, "leave": 2, "activity": 3, "amend": 2, "placement": 2, "criterion": 5}
_DAY = {**{kind: -1 for kind in ("attendees", "retract", "year_group", "catch_up")}, **_DAY}


def test_milestones_extended_one_encounter_at_a_time_equal_those_recomputed_from_the_history():
    """Pupils whose only change in a page is new encounters have their rows extended from the stored
    dates, not recomputed from every encounter: page by page, out of date order, across Year 12's
    start and two academic years, the rows equal a rebuild's and the reference's figures."""
    history = History(2025, [11] * 12, years=2)  # Year 12 from 1 September 2026: day 365
    for p in range(12):
        history.run(("enrol", p, "900001", 0))
    history.catch_up(page_size=50)
    everyone = set(range(12))
    # The first workplace visit after Year 12 starts is also the first and then the second of all;
    # earlier ones arrive later, out of date order.
    for kind, offset in (
        ("workplace_visit", 400),
        ("employer_talk", 20),
        ("workplace_visit", 380),
        ("guidance_meeting", 390),
        ("employer_talk", 10),
        # On or after the year's second (day 20): changes no row, so not tallied at all; then one
        # before it, which moves the second.
        ("employer_talk", 200),
        ("employer_talk", 20),
        ("employer_talk", 15),
        ("employer_talk", 500),
        ("university_visit", 420),
        ("guidance_meeting", 40),
        ("workplace_visit", 370),
        ("employer_talk", 5),
        ("university_visit", 410),
        ("workplace_visit", 30),
        ("fe_encounter", 450),
        ("employer_talk", 470),
        ("guidance_meeting", 366),
    ):
        history.run(("activity", "900001", kind, offset, everyone, True))
        history.catch_up(page_size=1)
        assert verify(history.app, history.store) == [], (kind, offset)
    world = reference.world_from(
        history.app.mapper.to_domain_event(n)
        for n in history.app.recorder.select_notifications(start=1, limit=100_000)
    )
    for offset in (15, 35, 365, 375, 395, 415, 460, 600):
        d = history.on(offset)
        assert view_figures(history.store, "900001", d) == reference.school_figures(
            world, "900001", d
        ), d
    ((workplace_1, workplace_2, workplace_ks5),) = history.store.query(
        "SELECT workplace_1, workplace_2, workplace_ks5 FROM {milestones} WHERE upn = ?",
        (history.upns[0],),
    )
    assert (str(workplace_1), str(workplace_2), str(workplace_ks5)) == tuple(
        str(history.on(offset)) for offset in (30, 370, 370)
    )


def test_a_pupil_whose_new_encounters_cannot_move_a_stored_date_is_not_tallied(monkeypatch):
    """Whether a page's new encounters can move a pupil's stored dates is decided from the stored
    rows alone, kind by kind, for the day Year 12 starts too; and what it skips leaves the rows
    as a rebuild makes them."""
    from projections import milestones

    decided: list[bool] = []
    decide = milestones._changes_nothing

    def recorded(*args):
        decided.append(decide(*args))
        return decided[-1]

    monkeypatch.setattr(milestones, "_changes_nothing", recorded)
    history = History(2025, [11] * 12, years=2)  # Year 12 from 1 September 2026: day 365
    for p in range(12):
        history.run(("enrol", p, "900001", 0))
    history.catch_up(page_size=50)
    for kind, offset, skipped in (
        ("workplace_visit", 30, [False]),
        ("workplace_visit", 40, [False]),  # the second
        ("workplace_visit", 400, [False]),  # the first from Year 12
        ("workplace_visit", 200, [True]),  # after the second, before Year 12
        ("workplace_visit", 380, [False]),  # after the second, from Year 12, before its first
        ("workplace_visit", 380, [True]),  # the same day again
        ("workplace_visit", 35, [False]),  # before the second
        ("guidance_meeting", 50, [False]),
        ("guidance_meeting", 420, [False]),
        ("guidance_meeting", 100, [True]),
        ("guidance_meeting", 390, [False]),
        ("guidance_meeting", 500, [True]),
        ("fe_encounter", 60, [False]),
        ("fe_encounter", 70, [True]),
        ("fe_encounter", 60, [True]),  # the first's day again
        ("he_encounter", 80, [False]),
        ("he_encounter", 90, [True]),
        ("he_encounter", 75, [False]),
        ("university_visit", 500, []),  # the row keeps the second visit: recomputed, never asked
        ("employer_talk", 10, [False]),
        ("employer_talk", 20, [False]),
        ("employer_talk", 25, [True]),
        ("employer_talk", 15, [False]),
        ("employer_talk", 380, [False]),  # the first of the next year
        ("employer_talk", 385, [False]),  # its second
        ("employer_talk", 390, [True]),
        ("employer_talk", 300, [False]),  # after a past year's second: that year is not read
    ):
        decided.clear()
        history.run(("activity", "900001", kind, offset, {0}, True))
        history.catch_up(page_size=1)
        assert decided == skipped, (kind, offset)
        assert verify(history.app, history.store) == [], (kind, offset)
    row = history.store.query(
        "SELECT workplace_1, workplace_2, workplace_ks5, guidance_1, guidance_ks5, fe_1, he_1 "
        "FROM {milestones} WHERE upn = ?",
        (history.upns[0],),
    )
    assert [str(on) for on in row[0]] == [
        str(history.on(offset)) for offset in (30, 35, 380, 50, 390, 60, 75)
    ]


def test_a_page_whose_pupils_are_all_skipped_still_moves_every_school_they_were_on_roll_at():
    """A skipped pupil's year groups and enrolments are not read; the schools whose figures a
    page may move are then taken from their stored rows, the school they left included."""
    history = History(2025, [10] * 12)
    history.run(("enrol", 0, "900001", 0))
    history.run(("leave", 0, 100))
    history.run(("enrol", 0, "900003", 101))
    history.run(("activity", "900003", "employer_talk", 200, {0}, True))
    history.run(("activity", "900003", "employer_talk", 210, {0}, True))
    history.catch_up(page_size=50)
    history.run(("activity", "900003", "employer_talk", 220, {0}, True))  # after the year's second
    history.catch_up(page_size=1)
    last = history.app.recorder.max_notification_id()
    moved = dict(history.store.query("SELECT urn, position FROM {school_versions}"))
    assert (moved["900001"], moved["900003"]) == (last, last)
    assert moved["900002"] < last
    assert verify(history.app, history.store) == []


def test_a_year_group_corrected_so_year_12_starts_earlier_finds_the_first_visit_from_then():
    """A pupil moved on the roll is extended from their stored dates only while the day Year 12
    starts stays put: the row keeps the first visit from that day, not every later one."""
    history = History(2025, [10] * 12, years=2)  # Year 12 from 1 September 2027: day 730
    history.run(("enrol", 0, "900001", 0))
    for offset in (30, 40, 400, 500):
        history.run(("activity", "900001", "workplace_visit", offset, {0}, True))
    history.catch_up(page_size=50)
    history.run(("year_group", 0, 1))  # Year 11 after all: Year 12 from day 365
    history.catch_up(page_size=1)
    row = history.store.query(
        "SELECT ks5_start, workplace_1, workplace_2, workplace_ks5 FROM {milestones} WHERE upn = ?",
        (history.upns[0],),
    )
    assert [str(on) for on in row[0]] == [str(history.on(d)) for d in (365, 30, 40, 400)]
    assert verify(history.app, history.store) == []
