"""The runner: exactly once across crashes, across gaps, woken by PostgreSQL, never stalled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import pytest
from eventsourcing.persistence import IntegrityError
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.metrics import school_figures, year_group_figures
from projections.rebuild import verify
from projections.runner import ReadAhead, Runner, wait_for_position
from projections.store import array_literal, view_store_for
from projections.wake import postgres_waker
from tests.conftest import TODAY
from tests.scenarios import EMPLOYER, PUPILS, SCHOOL_A, UPN, enrol, register_hub_and_schools
from tracker.application import Tracker


def world(url: str) -> tuple[Tracker, object]:
    app = Tracker.from_url(url, today=lambda: TODAY)
    register_hub_and_schools(app)
    for pupil in PUPILS[:5]:
        enrol(app, pupil)
    store = view_store_for(url)
    store.create_tables()
    return app, store


def record_fair(app: Tracker, day: int = 15):
    return app.record_activity(
        SCHOOL_A,
        "careers_fair",
        "Fair",
        date(2018, 11, day),
        [UPN["p1"], UPN["p3"]],
        employer=EMPLOYER,
        meaningful=True,
    )


def test_the_runner_crosses_gaps_in_notification_ids(postgres_url):
    app, store = world(postgres_url)
    written = record_fair(app)
    activity_id = app._activity(written.id, None).id
    app.retract_activity(written.id, "first")
    for _ in range(3):  # each refused insert burns a notification id that is never filled
        stale = app.repository.get(activity_id, version=1)
        stale.retract("second")
        with pytest.raises(IntegrityError):
            app.save(stale)
    last = record_fair(app, 16).position
    ids = [n.id for n in app.recorder.select_notifications(start=1, limit=1000)]
    assert last - ids[-2] > 1, "a gap was made"
    Runner(app, store, page_size=1).catch_up()
    assert store.position() == last
    assert verify(app, store) == []


def test_a_page_read_ahead_is_used_only_where_the_views_say_the_next_page_starts(database_url):
    app, _ = world(database_url)
    head = app.recorder.max_notification_id()
    with ReadAhead(app, page_size=3) as log_pages:
        first = log_pages.starting_at(1, None)
        end = first[-1][0]  # three events, or on to the end of the third one's moment
        assert [position for position, _ in first] == list(range(1, end + 1)) and end >= 3
        # Another runner applied the page after it meanwhile: the page read ahead must not be used.
        later = log_pages.starting_at(end + 2, None)
        assert later[0][0] == end + 2 and len(later) >= 3
        after = later[-1][0] + 1
        assert log_pages.starting_at(after, None)[0][0] == after
        tail = log_pages.starting_at(head, None)
        assert [position for position, _ in tail] == [head]
        assert log_pages.starting_at(head + 1, None) == []
    assert type(first[0][1]).__qualname__ == "Hub.Registered"  # decoded events, not notifications


def record_a_week_of_fairs(app: Tracker) -> None:
    """Seven activities in one command: a moment of seven events."""
    fair = {
        "kind": "careers_fair",
        "title": "Fair",
        "attendees": [UPN["p1"], UPN["p3"]],
        "employer": EMPLOYER,
        "meaningful": True,
    }
    app.record_activities(
        SCHOOL_A, [{**fair, "occurred_on": date(2018, 11, day)} for day in range(10, 17)]
    )


def test_a_full_page_runs_on_to_the_end_of_its_last_moment(database_url):
    """A command's events share one time; a page never ends among them, however small, so a
    pupil's versions do not depend on where pages end (docs/time.md, "Moments")."""
    app, _ = world(database_url)
    before = app.recorder.max_notification_id()
    record_a_week_of_fairs(app)
    record_fair(app)
    head = app.recorder.max_notification_id()
    assert head == before + 8
    with ReadAhead(app, page_size=2) as log_pages:
        batch = log_pages.starting_at(before + 1, None)
        assert [position for position, _ in batch] == list(range(before + 1, before + 8))
        assert len({indexed.timestamp for _, indexed in batch}) == 1
        assert [position for position, _ in log_pages.starting_at(before + 8, None)] == [head]
        # Begun among a moment's events (a catch-up asked to stop there), it runs on the same.
        assert log_pages.starting_at(before + 3, None)[-1][0] == before + 7


def test_events_read_past_a_moments_end_begin_the_next_page_and_are_not_read_again(
    database_url, monkeypatch
):
    """A page running on to the end of a moment reads past it; what it read there is the start of
    the next page, so every event of the log is decoded once, however moments and pages fall."""
    app, _ = world(database_url)
    record_a_week_of_fairs(app)
    record_fair(app)
    record_fair(app, 16)
    logged = [n.id for n in app.recorder.select_notifications(start=1, limit=1000)]
    decoded: list[int] = []
    to_domain_events = app.mapper.to_domain_events

    def counted(notifications, **kwargs):
        decoded.extend(notification.id for notification in notifications)
        return to_domain_events(notifications, **kwargs)

    monkeypatch.setattr(app.mapper, "to_domain_events", counted)
    for page_size in (2, 3, 5):
        decoded.clear()
        pages, start = [], 1
        with ReadAhead(app, page_size=page_size) as log_pages:
            while page := log_pages.starting_at(start, None):
                pages.append([position for position, _ in page])
                start = page[-1][0] + 1
        assert [position for page in pages for position in page] == logged
        assert sorted(decoded) == logged, f"pages of {page_size}: each event decoded once"
        assert max(len(page) for page in pages) > page_size  # a page ran on to a moment's end


def test_a_postgres_notification_wakes_the_runner_long_before_its_poll(postgres_url):
    app, store = world(postgres_url)
    runner, stop = Runner(app, store), threading.Event()
    thread = threading.Thread(
        target=runner.run_forever,
        args=(stop, postgres_waker(postgres_url, app.recorder.channel_name), 30.0),
    )
    thread.start()
    try:
        time.sleep(0.3)  # let it catch up and start listening
        position = record_fair(app).position
        assert wait_for_position(store, position, timeout=5.0)
    finally:
        stop.set()
        record_fair(app, 16)  # wakes it to see the stop, rather than wait out its poll
        thread.join(timeout=35)
    assert not thread.is_alive()


def test_writes_made_while_a_page_is_applied_are_gathered_into_one_page_and_a_first_is_not_held(
    postgres_url,
):
    app, store = world(postgres_url)
    pages: list[list[int]] = []
    during, more = threading.Event(), []

    class Counting(Runner):
        def _apply(self, events, page, position):
            pages.append([at for at, _ in events])
            if during.is_set():  # five writes arrive while this page is applied
                during.clear()
                more.extend(record_fair(app, day).position for day in range(16, 21))
            super()._apply(events, page, position)

    gather, stop = 2.0, threading.Event()
    thread = threading.Thread(
        target=Counting(app, store).run_forever,
        args=(stop, postgres_waker(postgres_url, app.recorder.channel_name), 3.0, gather),
    )
    thread.start()
    try:
        assert wait_for_position(store, app.recorder.max_notification_id(), timeout=10.0)
        time.sleep(0.5)
        pages.clear()
        during.set()
        sent = time.monotonic()
        first = record_fair(app).position
        assert wait_for_position(store, first, timeout=gather / 2), "an idle worker waited"
        assert len(more) == 5
        assert wait_for_position(store, more[-1], timeout=10.0)
        assert time.monotonic() - sent >= gather  # the next page began a gathering after the first
        assert [page[-1] for page in pages] == [first, more[-1]]  # the five writes in one page
        assert pages[1] == list(range(first + 1, more[-1] + 1))
    finally:
        stop.set()
        thread.join(timeout=10)
    assert verify(app, store) == []


def test_a_middle_school_has_no_applicable_benchmarks_6_to_8(database_url):
    app = Tracker.from_url(database_url, today=lambda: TODAY)
    app.register_school("900005", "Middle", "middle", "885", "8854005")
    app.enrol_pupil("900005", UPN["p1"], "A", "B", PUPILS[0].date_of_birth, 7, date(2018, 9, 3))
    store = view_store_for(database_url)
    store.create_tables()
    Runner(app, store).catch_up()
    figures = school_figures(store, date(2019, 3, 1), ["900005"])["900005"].benchmarks
    assert [figures[b].applicable for b in (5, 6, 7, 8)] == [True, False, False, False]
    assert figures[6].coverage is None and not figures[6].achieved


def test_a_later_years_correction_leaves_the_year_group_in_force_before_it(database_url):
    # p3 was in Year 11 in 2018/19 and is held back: Year 11 again in 2019/20. Figures for
    # 2018/19 read the history (the pupil's latest year group is the later year's).
    app = Tracker.from_url(database_url, today=lambda: date(2019, 10, 15))
    register_hub_and_schools(app)
    enrol(app, PUPILS[2])
    app.change_year_group(UPN["p3"], 11, "2019/20")
    store = view_store_for(database_url)
    store.create_tables()
    Runner(app, store).catch_up()
    by_year = {date(2019, 3, 1): 11, date(2019, 10, 1): 11, date(2020, 10, 1): 12}
    for as_of, expected in by_year.items():
        groups = [row["year_group"] for row in year_group_figures(store, as_of, SCHOOL_A)]
        assert groups == [expected], as_of
    assert [
        row["year_group"] for row in year_group_figures(store, date(2018, 8, 1), SCHOOL_A)
    ] == []  # not yet on roll
    assert school_figures(store, date(2019, 3, 1), [SCHOOL_A])[SCHOOL_A].benchmarks[6].measured == 1


def test_a_year_group_corrected_in_the_page_that_enrolled_the_pupil_ends_as_corrected(database_url):
    # One page writes p3's year group for 2018/19 twice (enrolled in Year 11, corrected to 10)
    # among the others': batched into one statement, the last must still win.
    app, store = world(database_url)
    app.change_year_group(UPN["p3"], 10, "2018/19")
    Runner(app, store).catch_up()
    groups = {
        row["year_group"]: row["pupils"]
        for row in year_group_figures(store, date(2019, 3, 1), SCHOOL_A)
    }
    assert groups == {7: 2, 10: 1, 11: 1, 13: 1}
    assert verify(app, store) == []


def test_under_gatsby_2024_bm6_needs_two_meaningful_experiences_with_an_employer_task(database_url):
    app = Tracker.from_url(database_url, today=lambda: date(2026, 6, 1))
    app.register_school("900005", "School", "secondary", "885", "8854005")
    app.enrol_pupil("900005", UPN["p3"], "A", "B", date(2010, 1, 15), 11, date(2025, 9, 3))
    checks = {"purpose_shared": True, "outcomes": True, "two_way": True, "reflection": True}
    for day, task in ((1, True), (2, False), (3, True)):
        app.record_activity(
            "900005",
            "workplace_visit",
            "Visit",
            date(2025, 10, day),
            [UPN["p3"]],
            employer=EMPLOYER,
            criteria={**checks, "employer_task": task},
        )
    store = view_store_for(database_url)
    store.create_tables()
    Runner(app, store).catch_up()
    met = [
        school_figures(store, date(2025, 10, d), ["900005"])["900005"].benchmarks[6].met
        for d in (1, 2, 3)
    ]
    assert met == [0, 0, 1]


@pytest.mark.slow
def test_a_runner_killed_again_and_again_never_applies_an_event_twice(postgres_url, tmp_path):
    app, store = world(postgres_url)
    environment = {**os.environ, "DATABASE_URL": postgres_url}
    command = [sys.executable, "-m", "cli", "project", "--page-size", "3", "--poll", "0.05"]
    stop_writing = threading.Event()
    written: list[int] = []

    def write() -> None:
        while not stop_writing.is_set():
            written.append(record_fair(app, random.randint(1, 28)).position)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(12):
            worker = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
            time.sleep(random.uniform(0.2, 0.8))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
    finally:
        stop_writing.set()
        writer.join()
    Runner(app, store).catch_up()
    assert len(written) > 20
    assert store.position() == app.recorder.max_notification_id()
    assert verify(app, store) == []
    count = store.query("SELECT COUNT(*) FROM {activities}")[0][0]
    assert count == len(written)


def test_views_left_from_another_store_are_refused_not_built_upon(tmp_path):
    from projections.runner import ViewsAheadOfLog
    from projections.store import view_store_for
    from tests.scenarios import build_worked_example
    from tracker.application import Tracker

    url = f"sqlite:///{tmp_path / 'events.sqlite3'}"
    views = view_store_for(url)
    views.create_tables()
    Runner(Tracker.from_url(url, today=lambda: TODAY), views).catch_up()  # nothing yet: fine
    first = Tracker.from_url(url, today=lambda: TODAY)
    build_worked_example(first)
    Runner(first, views).catch_up()
    (tmp_path / "events.sqlite3").unlink()  # the event store is deleted; its views are not
    fresh = Tracker.from_url(url, today=lambda: TODAY)
    with pytest.raises(ViewsAheadOfLog, match="tracker rebuild"):
        Runner(fresh, views).catch_up()
    views.close()


def test_views_made_with_other_columns_are_refused_until_rebuilt(database_url):
    from projections.rebuild import rebuild
    from projections.runner import ViewsOutOfDate

    app, store = world(database_url)
    Runner(app, store).catch_up()
    # As views made by an earlier version look: their tables say nothing of these columns.
    with store.transaction() as cursor:
        store.execute(cursor, "UPDATE {tracking} SET position = 1 WHERE name = 'schema'")
    before = store.position()
    record_fair(app)
    with pytest.raises(ViewsOutOfDate, match="tracker rebuild"):
        Runner(app, store).catch_up()
    assert store.position() == before, "nothing was written into them"
    rebuild(app, store)
    Runner(app, store).catch_up()
    assert store.position() == app.recorder.max_notification_id()
    assert verify(app, store) == []


def test_postgres_views_compare_text_in_byte_order_as_sqlite_does(postgres_url):
    # Whatever the server's locale: the same order as SQLite, and index inserts without the
    # locale's comparisons (most of a catch-up's writing is into indexes on text keys).
    app, store = world(postgres_url)
    Runner(app, store).catch_up()
    collations = store.query(
        "SELECT table_name, column_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND starts_with(table_name, ?) "
        "AND data_type = 'text'",
        (store.prefix,),
    )
    assert {row[1] for row in collations} >= {"upn", "urn", "source_id", "recorded_at"}
    assert [row for row in collations if row[2] != "C"] == []


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))),
    numbers=st.lists(st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1))),
    dates=st.lists(st.one_of(st.none(), st.dates())),
    flags=st.lists(st.booleans()),
)
def test_arrays_sent_as_one_string_arrive_as_the_values_they_were(
    postgres_server, texts, numbers, dates, flags
):
    # Membership tests and upserts send their arrays in PostgreSQL's text form: quoting must
    # survive quotes, backslashes, commas, braces, spaces, the word NULL and empty strings.
    import psycopg

    with psycopg.connect(postgres_server, autocommit=True) as connection:
        row = connection.execute(
            "SELECT CAST(%s AS text[]), CAST(%s AS integer[]), CAST(%s AS date[]), "
            "CAST(%s AS smallint[])",
            [array_literal(values) for values in (texts, numbers, dates, flags)],
        ).fetchone()
    assert row == (texts, numbers, dates, [int(flag) for flag in flags])


def test_a_bulk_catch_up_leaves_the_planner_statistics_and_a_small_one_does_not(postgres_url):
    # Freshly filled tables have none until autovacuum runs (never, where it is off), and without
    # them the planner chose whole-table scans for a large school's known-at replay.
    app, store = world(postgres_url)
    analysed = (
        "SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = ? "
        "AND attname = 'upn'"
    )
    Runner(app, store, analyse_after=10**6).catch_up()
    assert store.query(analysed, (store.prefix + "events",)) == [(0,)]
    record_fair(app)
    assert Runner(app, store, analyse_after=1).catch_up() == 1
    assert store.query(analysed, (store.prefix + "events",)) == [(1,)]
    assert store.query(analysed, (store.prefix + "encounters",)) == [(1,)]


def test_a_verify_never_touches_the_tables_of_a_rebuild_under_way(database_url):
    """A rebuild's scratch tables, built but not yet swapped in, outlive a verify run beside them
    (which builds and drops tables of its own) and are swapped in whole."""
    from projections.rebuild import build_scratch

    app, store = world(database_url)
    record_fair(app)
    Runner(app, store).catch_up()
    half_done = build_scratch(app, store)
    assert verify(app, store) == []
    assert half_done.position() == app.recorder.max_notification_id()
    store.swap_in(half_done)
    assert store.position() == app.recorder.max_notification_id() and verify(app, store) == []


def test_a_rebuild_waits_for_a_verify_holding_the_views_then_runs(database_url):
    from projections.rebuild import rebuild

    app, store = world(database_url)
    Runner(app, store).catch_up()
    rebuilt = threading.Event()
    with store.maintaining(wait=False) as held:
        assert held
        waiting = threading.Thread(target=lambda: (rebuild(app, store), rebuilt.set()))
        waiting.start()
        assert not rebuilt.wait(0.5), "the rebuild did not start while the views were held"
    waiting.join(timeout=30)
    assert rebuilt.is_set() and verify(app, store) == []
