"""metrics.md's worked example, exactly, on every store; then the retraction seen as known before
and after."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pytest

from projections import records
from projections.queries import Reads
from projections.runner import Runner
from projections.store import view_store_for
from tests.conftest import TODAY
from tests.scenarios import ADMIN, EMPLOYER, SCHOOL_A, SCHOOL_B, UPN, build_worked_example
from tracker.application import Tracker

EXPECTED = [  # as of, A BM5, A BM6, B BM5, B BM6, hub employer, hub workplace
    (date(2019, 1, 31), (5, 4, 80.0), (3, 1, 33.3), (2, 0, 0.0), (1, 0, 0.0), 0.0, 0.0),
    (date(2019, 3, 31), (4, 4, 100.0), (3, 2, 66.7), (3, 3, 100.0), (1, 1, 100.0), 100.0, 50.0),
    (date(2019, 4, 30), (4, 4, 100.0), (3, 3, 100.0), (3, 3, 100.0), (1, 1, 100.0), 100.0, 100.0),
]


@pytest.fixture
def world(database_url):
    app = Tracker.from_url(database_url, today=lambda: TODAY)
    ids = build_worked_example(app)
    store = view_store_for(database_url)
    store.create_tables()
    runner = Runner(app, store, page_size=7)  # several pages, so page edges are exercised too
    runner.catch_up()
    yield app, store, runner, Reads(app, store, today=lambda: TODAY), ids
    store.close()


def figure(metrics, urn: str, benchmark: int) -> tuple:
    row = next(r for r in metrics.school_rows if r.urn == urn)
    b = row.benchmarks[benchmark - 1]
    return b.measured, b.met, b.coverage


def assert_table(reads: Reads, known_at=None) -> None:
    for as_of, a5, a6, b5, b6, employer, workplace in EXPECTED:
        metrics = reads.hub_metrics("DEMO", as_of=as_of, known_at=known_at)
        got = (
            figure(metrics, SCHOOL_A, 5),
            figure(metrics, SCHOOL_A, 6),
            figure(metrics, SCHOOL_B, 5),
            figure(metrics, SCHOOL_B, 6),
            metrics.every_student_employer_encounters,
            metrics.every_student_workplace_experience,
        )
        assert got == (a5, a6, b5, b6, employer, workplace), as_of


def test_the_worked_example_gives_every_figure_of_the_table(world):
    _, _, _, reads, _ = world
    assert_table(reads)


def test_school_status_matches_the_hub_rows(world):
    _, _, _, reads, _ = world
    status = reads.school_status(SCHOOL_B, as_of=date(2019, 3, 31))
    assert [(b.measured, b.met) for b in status.benchmarks[4:6]] == [(3, 3), (1, 1)]
    assert status.rule_set == "gatsby-2014" and str(status.year) == "2018/19"
    assert {row.year_group: row.bm5_met for row in status.by_year_group} == {
        7: 1,
        8: 1,
        11: 1,
    }


def test_a_retraction_and_rerecording_leave_valid_time_figures_unchanged_and_history_visible(world):
    app, store, runner, reads, ids = world
    time.sleep(0.01)
    before_correction = datetime.now(timezone.utc)
    time.sleep(0.01)
    app.retract_activity(ids["fair"], "wrong date", caller=ADMIN)
    app.record_activity(
        SCHOOL_A,
        "careers_fair",
        "Careers fair",
        date(2018, 11, 16),
        [UPN[n] for n in ("p1", "p2", "p3", "p4")],
        employer=EMPLOYER,
        meaningful=True,
        caller=ADMIN,
    )
    runner.catch_up()
    assert_table(reads)
    assert_table(reads, known_at=before_correction)
    retractions = records.audit_events(store, app, 0, 10, kind="Activity.Retracted").items
    assert [(e["data"]["reason"], e["actor"]) for e in retractions] == [("wrong date", ADMIN.actor)]
    fair_dates = [
        a["occurred_on"]
        for a in records.school_activities(
            store, SCHOOL_A, None, None, "careers_fair", None, 10
        ).items
    ]
    assert fair_dates == ["2018-11-15", "2018-11-16"]


def test_as_known_before_the_first_recording_the_fair_did_not_count(world):
    app, store, runner, reads, ids = world
    first_position = store.query(
        "SELECT MIN(position) FROM {events} WHERE type = 'Activity.Recorded'"
    )[0][0]
    recorded_at = store.query(
        "SELECT recorded_at FROM {events} WHERE position = ?", (first_position - 1,)
    )[0][0]
    known = reads.school_status(
        SCHOOL_A, as_of=date(2019, 1, 31), known_at=datetime.fromisoformat(recorded_at)
    )
    assert (known.benchmarks[4].measured, known.benchmarks[4].met) == (5, 0)


def test_cached_school_figures_move_when_a_pupil_leaves_or_a_criterion_changes(world):
    app, store, runner, reads, ids = world
    before = reads.hub_metrics("DEMO", as_of=date(2019, 7, 1))
    app.record_leaving(SCHOOL_A, UPN["p3"], date(2019, 6, 30), caller=ADMIN)
    app.change_criterion(SCHOOL_B, 1, "1.1", True, "published", date(2019, 6, 1), caller=ADMIN)
    runner.catch_up()
    after = reads.hub_metrics("DEMO", as_of=date(2019, 7, 1))
    assert figure(before, SCHOOL_A, 5)[0] - figure(after, SCHOOL_A, 5)[0] == 1

    def score(metrics):
        return next(r for r in metrics.school_rows if r.urn == SCHOOL_B).benchmarks[0].score

    assert (score(before), score(after)) == (0.0, 0.2)


def test_a_stale_national_comparison_is_answered_at_once_and_refreshed_behind_the_reader(world):
    app, store, runner, _, ids = world
    reads = Reads(app, store, today=lambda: TODAY, comparison_max_age=0.05)
    first = reads.hub_metrics("DEMO", as_of=date(2019, 7, 1))
    app.record_leaving(SCHOOL_A, UPN["p3"], date(2019, 6, 30), caller=ADMIN)
    runner.catch_up()
    time.sleep(0.1)  # the comparison is now older than its max age, and the views have moved
    answered_from_before = reads.hub_metrics("DEMO", as_of=date(2019, 7, 1))
    assert answered_from_before.national == first.national  # its position says how old it is
    assert figure(answered_from_before, SCHOOL_A, 5) != figure(first, SCHOOL_A, 5), (
        "the hub's own are exact"
    )
    deadline = time.monotonic() + 5
    while (
        reads.hub_metrics("DEMO", as_of=date(2019, 7, 1)).national.position
        == first.national.position
    ):
        assert time.monotonic() < deadline, "the comparison was refreshed"
        time.sleep(0.01)
    assert reads.national_metrics(date(2019, 7, 1)).position == reads.position()
