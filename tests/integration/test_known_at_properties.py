"""For random histories, the views read as known at any position equal the log replayed up to it."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections import engagement, hosts, provider_access, register
from projections.destinations import leavers
from projections.metrics import hub_members, school_figures, schools_in_any_hub, year_group_figures
from projections.rebuild import verify
from projections.replay import position_known_at, replay_schools
from projections.runner import Runner
from projections.store import SQLiteViewStore, ViewStore, view_store_for
from projections.tables import COLUMNS, VERSIONED
from tests.integration.test_projection_properties import (
    ALL_CHECKS,
    EMPLOYER,
    KINDS,
    PROVIDER,
    SCHOOLS,
    History,
    day,
    school,
    step,
)
from tracker.calendar import AcademicYear
from tracker.domain.organisation import organisation_id
from tracker.rulesets import DESTINATIONS

HUBS = ("H", "H2")
leaver = st.integers(0, 3)  # a few pupils, so some leave and are followed up more than once
# The employer every random activity and placement names, and one only ever registered, to merge.
EMPLOYERS = ("Acme Ltd", "Brook Builders")

# Beside the steps of every random history: hubs joined and left, transfers (leaving one school
# for another on a day), year ranges and careers leaders changed, leavers' destinations recorded,
# employers registered, merged and unmerged, and activities offered to providers.
known_step = st.one_of(
    step,
    st.tuples(st.just("join"), st.sampled_from(HUBS), school, day),
    st.tuples(st.just("leave_hub"), st.sampled_from(HUBS), school, day),
    st.tuples(st.just("transfer"), st.integers(0, 11), school, day),
    st.tuples(st.just("year_range"), school, st.integers(7, 9), st.integers(11, 13)),
    st.tuples(st.just("leader"), school, st.sampled_from(["Ann", "Bob"]), day),
    st.tuples(st.just("leave_for"), leaver, st.sampled_from(DESTINATIONS), st.integers(0, 150)),
    # Two later words on one day: the second replaces the first.
    st.tuples(
        st.just("destinations"),
        leaver,
        st.lists(st.sampled_from(DESTINATIONS), min_size=2, max_size=2, unique=True),
        st.integers(150, 316),
    ),
    st.tuples(st.just("register"), st.sampled_from(EMPLOYERS), st.sampled_from(["F", "G"])),
    st.tuples(st.just("merge"), st.booleans()),
    st.tuples(st.just("unmerge"), st.booleans()),
    st.tuples(st.just("offer"), st.integers(0, 20), st.sampled_from([[12], [12, 13], [10]])),
    # Several activities in one command, one moment: the same pupils touched at many positions
    # of it, of which only the last can be asked about (docs/time.md, "Moments").
    st.tuples(
        st.just("batch"),
        school,
        st.lists(st.tuples(st.sampled_from(KINDS), day), min_size=2, max_size=4),
        st.sets(st.integers(0, 11), min_size=1, max_size=4),
    ),
)


class KnownHistory(History):
    """A random history whose views are kept in the store given."""

    def __init__(self, store: ViewStore, era: int, year_groups: list[int]):
        super().__init__(era, year_groups)
        self.store = store
        self.app.register_hub("H2", "Second hub", "Area", 2)

    def join(self, hub: str, urn: str, offset: int) -> None:
        self.app.join_hub(hub, urn, self.on(offset))

    def leave_hub(self, hub: str, urn: str, offset: int) -> None:
        self.app.leave_hub(hub, urn, self.on(offset))

    def transfer(self, p: int, urn: str, offset: int) -> None:
        self.leave(p, offset)
        self.enrol(p, urn, offset + 1)

    def year_range(self, urn: str, first: int, last: int) -> None:
        self.app.set_year_groups(urn, first, last, None)

    def leader(self, urn: str, name: str, offset: int) -> None:
        self.app.appoint_careers_leader(urn, name, None, self.on(offset))

    def leave_for(self, p: int, where: str, offset: int) -> None:
        current = self.app._student(self.upns[p]).current_enrolment
        if current:
            self.app.record_leaving(current.school_urn, self.upns[p], self.on(offset), where)

    def destinations(self, p: int, words: list[str], offset: int) -> None:
        left = [e for e in self.app._student(self.upns[p]).enrolments if e.left_on]
        for where in words if left else ():
            self.app.record_destination(left[-1].school_urn, self.upns[p], where, self.on(offset))

    def register(self, name: str, sector: str) -> None:
        self.app.register_organisation("employer", name, {"sector": sector, "size": "large"})

    def merge(self, acme_away: bool) -> None:
        self.app.merge_organisation(*_employer_ids(acme_away))

    def unmerge(self, acme_away: bool) -> None:
        self.app.unmerge_organisation(_employer_ids(acme_away)[0])

    def batch(self, urn: str, kinds_on: list[tuple[str, int]], pupils: set[int]) -> None:
        wanted, roll = [self.upns[p] for p in sorted(pupils)], self.app._roll(urn)
        recorded = []
        for kind, offset in kinds_on:
            absent = set(roll.absent_on(wanted, self.on(offset)))
            if attendees := [upn for upn in wanted if upn not in absent]:
                recorded.append(
                    {
                        "kind": kind,
                        "title": kind,
                        "occurred_on": self.on(offset),
                        "attendees": attendees[: 1 if kind == "guidance_meeting" else None],
                        "employer": EMPLOYER,
                        "provider": PROVIDER,
                        "meaningful": True,
                        "criteria": ALL_CHECKS,
                    }
                )
        if recorded:
            self.app.record_activities(urn, recorded)

    def offer(self, n: int, year_groups: list[int]) -> None:
        if self.activities:
            self.app.offer_activity(self.activities[n % len(self.activities)], year_groups)


def _employer_ids(acme_away: bool) -> tuple[str, str]:
    """(duplicate, into): Acme merged into Brook Builders, or the other way."""
    ids = [str(organisation_id("employer", name)) for name in EMPLOYERS]
    return (ids[0], ids[1]) if acme_away else (ids[1], ids[0])


def _plain(rows) -> list[tuple]:
    """Rows as comparable text: PostgreSQL's dates are dates, SQLite's are text. A null (a leaver
    with no destination yet) sorts first."""
    texts = [tuple(None if v is None else str(v) for v in row) for row in rows]
    return sorted(texts, key=lambda row: [(v is not None, v or "") for v in row])


def _rows(store: ViewStore, table: str) -> list[tuple]:
    columns = ", ".join(name for name, _ in COLUMNS[table] if name != "vfrom")
    return _plain(store.query(f"SELECT {columns} FROM {{{table}}}"))


def _figures(store: ViewStore, d: date) -> dict:
    return {
        urn: {b: (f.measured, f.met, f.score) for b, f in figures.benchmarks.items()}
        for urn, figures in school_figures(store, d).items()
    }


def assert_known_equals_replay(history: KnownHistory, position: int, dates: list[date]) -> None:
    known = history.store.known_at(position)
    oracle = replay_schools(history.app, history.store, sorted(SCHOOLS), position)
    for table in VERSIONED:
        assert _rows(known, table) == _rows(oracle, table), (table, position)
    for d in dates:
        assert _figures(known, d) == _figures(oracle, d), (position, d)
        for urn in SCHOOLS:
            assert year_group_figures(known, d, urn) == year_group_figures(oracle, d, urn)
        for hub in HUBS:
            assert hub_members(known, hub, d) == hub_members(oracle, hub, d), (hub, d)
        assert schools_in_any_hub(known, d) == schools_in_any_hub(oracle, d)
        cohort = AcademicYear.containing(history.start)
        assert leavers(known, sorted(SCHOOLS), cohort, d) == leavers(
            oracle, sorted(SCHOOLS), cohort, d
        ), (position, d)
    # Merges are dated today: the employer figures are compared on it too.
    for d in [*dates, history.app.today()]:
        assert_employer_figures_equal(known, oracle, d)


def assert_employer_figures_equal(known: ViewStore, oracle: ViewStore, d: date) -> None:
    """The employer network, provider access, willing hosts and the register as known then."""
    year, schools = AcademicYear.containing(d), sorted(SCHOOLS)
    assert register.organisations(known, d) == register.organisations(oracle, d), d
    assert engagement.computed(known, schools, year, d) == engagement.computed(
        oracle, schools, year, d
    ), d
    assert engagement.employer_history(
        known, str(organisation_id("employer", EMPLOYERS[0])), d, schools
    ) == engagement.employer_history(
        oracle, str(organisation_id("employer", EMPLOYERS[0])), d, schools
    )
    assert hosts.willing_hosts(known, schools, d) == hosts.willing_hosts(oracle, schools, d)
    for urn in schools:
        assert provider_access.provider_access(
            known, urn, year, d
        ) == provider_access.provider_access(oracle, urn, year, d), (urn, d)


def play(history: KnownHistory, placed, steps, page_size: int) -> int:
    for p, (urn, offset) in enumerate(placed):
        history.run(("enrol", p, urn, offset))
    for one in steps:
        if one[0] == "catch_up":  # pages of random sizes, ending anywhere in the history
            Runner(history.app, history.store, page_size=one[1]).catch_up()
        else:
            history.run(one)
    Runner(history.app, history.store, page_size=page_size).catch_up()
    return history.app.recorder.max_notification_id()


histories = dict(
    era=st.sampled_from([2018, 2025]),
    year_groups=st.lists(st.integers(6, 13), min_size=12, max_size=12),
    placed=st.lists(st.tuples(school, st.integers(0, 30)), min_size=12, max_size=12),
    steps=st.lists(known_step, min_size=20, max_size=60),
    page_size=st.sampled_from([1, 2, 7, 50, 5000]),
    positions=st.lists(st.floats(0, 1), min_size=1, max_size=3),
    dates=st.lists(day, min_size=1, max_size=3),
)


def check(history: KnownHistory, placed, steps, page_size, positions, dates) -> None:
    head = play(history, placed, steps, page_size)
    for share in positions:
        assert_known_equals_replay(
            history, askable(history.store, round(share * head)), [history.on(o) for o in dates]
        )


def askable(store: ViewStore, position: int) -> int:
    """The position "as known at" the time `position` was recorded answers from: the last of its
    moment (a command's events share one time, and nothing can be known between them)."""
    if position == 0:
        return 0
    (recorded_at,) = store.query(
        "SELECT recorded_at FROM {events} WHERE position = ?", (position,)
    )[0]
    return position_known_at(store, datetime.fromisoformat(recorded_at))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**histories)
def test_views_known_at_any_position_equal_the_replay_on_sqlite(
    era, year_groups, placed, steps, page_size, positions, dates
):
    store = SQLiteViewStore(":memory:")
    store.create_tables()
    check(KnownHistory(store, era, year_groups), placed, steps, page_size, positions, dates)


@pytest.fixture(scope="module")
def postgres_views(postgres_server):
    from tests.conftest import throwaway_database

    with throwaway_database(postgres_server) as url:
        store = view_store_for(url)
        yield store
        store.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(**histories)
def test_views_known_at_any_position_equal_the_replay_on_postgresql(
    postgres_views, era, year_groups, placed, steps, page_size, positions, dates
):
    postgres_views.drop_tables()
    postgres_views.create_tables()
    history = KnownHistory(postgres_views, era, year_groups)
    check(history, placed, steps, page_size, positions, dates)
    # Versions do not depend on where pages ended: a rebuild in one page holds the same history.
    assert verify(history.app, postgres_views) == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_leavers_words_as_known_at_each_position_equal_the_replay(backend, request):
    """A destination at leaving, a word replaced by a second on the same day, and a later one:
    every position's destinations, and the cohort's leavers on each date, are the replay's."""
    if backend == "postgresql":
        store = request.getfixturevalue("postgres_views")
        store.drop_tables()
        store.create_tables()
    else:
        store = SQLiteViewStore(":memory:")
        store.create_tables()
    history = KnownHistory(store, 2018, [11, 11, 11] + [9] * 9)
    steps = [
        ("enrol", 0, "900001", 0),
        ("enrol", 1, "900002", 0),
        ("leave_for", 0, "fe_college", 100),
        ("catch_up", 2),
        ("destinations", 0, ["apprenticeship", "employment"], 200),
        ("leave_for", 1, "unknown", 120),
        ("destinations", 1, ["school_sixth_form", "neet"], 300),
    ]
    head = play(history, [], steps, 1)
    assert store.query("SELECT COUNT(*) FROM {destinations_history}")[0][0] >= 2
    for position in range(head + 1):
        assert_known_equals_replay(
            history, askable(store, position), [history.on(150), history.on(316)]
        )


@pytest.mark.parametrize("page_size", [1, 5000])
def test_a_command_is_one_moment_and_its_pupils_get_one_version_of_their_milestones(page_size):
    """Three activities recorded in one command share one time; a pupil at all three gets one
    milestone version for the command, at its last position, where a page ends or not."""
    store = SQLiteViewStore(":memory:")
    store.create_tables()
    history = KnownHistory(store, 2025, [10] * 12)
    history.run(("enrol", 0, "900001", 0))
    Runner(history.app, store).catch_up()
    before = history.app.recorder.max_notification_id()
    history.batch(
        "900001", [("employer_talk", 20), ("workplace_visit", 30), ("careers_fair", 40)], {0}
    )
    head = play(history, [], [], page_size)
    assert head == before + 3
    stamps = store.query("SELECT DISTINCT recorded_at FROM {events} WHERE position > ?", (before,))
    assert len(stamps) == 1
    upn = history.upns[0]
    moments = [
        row[0]
        for row in store.query(
            "SELECT vfrom FROM {milestones} WHERE upn = ? UNION ALL "
            "SELECT vfrom FROM {milestones_history} WHERE upn = ?",
            (upn, upn),
        )
    ]
    assert max(moments) == head and not any(before < at < head for at in moments)
    for position in (before, head):
        assert askable(store, position) == position
        assert_known_equals_replay(history, position, [history.on(50)])
    assert [askable(store, p) for p in range(before + 1, head + 1)] == [head] * 3
