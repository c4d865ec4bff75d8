"""Writers racing on one aggregate never lose an acknowledged change (PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from tests.conftest import TODAY
from tests.scenarios import EMPLOYER, SCHOOL_A, register_hub_and_schools
from tracker import application
from tracker.application import Tracker
from tracker.errors import ConcurrentChange
from tracker.identifiers import make_upn

WORKERS = 8


def tracker(url: str) -> Tracker:
    return Tracker.from_url(url, today=lambda: TODAY)


def enrol_one(app: Tracker, serial: int) -> str:
    upn = make_upn("885", "4001", 18, serial)
    app.enrol_pupil(
        SCHOOL_A, upn, "Given", f"Family{serial}", date(2007, 1, 15), 7, date(2018, 9, 3)
    )
    return upn


def prepared(url: str, pupils: int = 0) -> tuple[Tracker, str]:
    app = tracker(url)
    register_hub_and_schools(app)
    upns = [enrol_one(app, serial) for serial in range(1, pupils + 1)]
    activity = app.record_activity(
        SCHOOL_A,
        "careers_fair",
        "Fair",
        date(2018, 11, 15),
        upns[:1] or [enrol_one(app, 999)],
        employer=EMPLOYER,
        meaningful=True,
    )
    return app, activity.id


def added_events(app: Tracker, activity_id: str) -> int:
    activity = app._activity(activity_id, None)
    return sum(type(e).__name__ == "AttendeesAdded" for e in app.events.get(activity.id))


@pytest.mark.parametrize("shared", [True, False], ids=["one-application", "application-per-thread"])
def test_eight_threads_adding_attendees_to_one_activity_lose_none(postgres_url, shared):
    app, activity_id = prepared(postgres_url, pupils=40)
    upns = [make_upn("885", "4001", 18, serial) for serial in range(2, 41)]
    apps = [app if shared else tracker(postgres_url) for _ in range(WORKERS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        acknowledged = list(
            pool.map(
                lambda i: apps[i % WORKERS].change_attendees(activity_id, add=[upns[i]]),
                range(len(upns)),
            )
        )
    fresh = tracker(postgres_url)
    assert set(upns) <= set(fresh._activity(activity_id, None).attendees)
    assert added_events(fresh, activity_id) == len(acknowledged)


@pytest.mark.parametrize("shared", [True, False], ids=["one-application", "application-per-thread"])
def test_eight_threads_enrolling_different_pupils_in_one_school_lose_none(postgres_url, shared):
    app, _ = prepared(postgres_url)
    apps = [app if shared else tracker(postgres_url) for _ in range(WORKERS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        upns = list(
            pool.map(lambda serial: enrol_one(apps[serial % WORKERS], serial), range(1, 41))
        )
    roll = tracker(postgres_url)._roll(SCHOOL_A)
    assert all(roll.is_on_roll(upn, date(2018, 9, 3)) for upn in upns)


@pytest.mark.parametrize("shared", [True, False], ids=["one-application", "application-per-thread"])
def test_eight_threads_enrolling_in_one_school_are_never_decided_twice(
    postgres_url, shared, monkeypatch
):
    app, _ = prepared(postgres_url)
    apps = [app if shared else tracker(postgres_url) for _ in range(WORKERS)]
    retried = []
    monkeypatch.setattr(application, "back_off", retried.append)
    with ThreadPoolExecutor(WORKERS) as pool:
        upns = list(
            pool.map(lambda serial: enrol_one(apps[serial % WORKERS], serial), range(1, 41))
        )
    assert retried == []  # one at a time in this process: no enrolment met another's conflict
    roll = tracker(postgres_url)._roll(SCHOOL_A)
    assert all(roll.is_on_roll(upn, date(2018, 9, 3)) for upn in upns)


def _enrol_range(url: str, first: int, last: int) -> list[str]:
    app = tracker(url)
    return [enrol_one(app, serial) for serial in range(first, last)]


def test_two_processes_enrolling_into_one_school_lose_none(postgres_url):
    prepared(postgres_url)
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        batches = pool.starmap(_enrol_range, [(postgres_url, 1, 26), (postgres_url, 26, 51)])
    roll = tracker(postgres_url)._roll(SCHOOL_A)
    upns = [upn for batch in batches for upn in batch]
    assert len(upns) == 50 and all(roll.is_on_roll(upn, date(2018, 9, 3)) for upn in upns)


def _enrol_counting_retries(url: str, first: int, last: int, start) -> tuple[list[str], int]:
    retried: list[int] = []
    application.back_off = retried.append  # this process's own module
    app = tracker(url)
    app._roll(SCHOOL_A)  # connected and warm before the race
    start.wait()
    with ThreadPoolExecutor(4) as pool:
        upns = list(pool.map(lambda serial: enrol_one(app, serial), range(first, last)))
    return upns, len(retried)


def test_two_processes_enrolling_in_one_school_are_never_decided_twice(postgres_url):
    prepared(postgres_url)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(2) as pool:
        start = manager.Barrier(2)
        results = pool.starmap(
            _enrol_counting_retries, [(postgres_url, 1, 41, start), (postgres_url, 41, 81, start)]
        )
    # Without the store's lock on the roll between processes: 39 and 44 conflicts in two runs.
    assert [retries for _, retries in results] == [0, 0]
    roll = tracker(postgres_url)._roll(SCHOOL_A)
    upns = [upn for batch, _ in results for upn in batch]
    assert len(upns) == 80 and all(roll.is_on_roll(upn, date(2018, 9, 3)) for upn in upns)


def test_a_roll_held_by_another_process_is_waited_for_and_after_a_while_gone_ahead_without(
    postgres_url, monkeypatch
):
    from adapters import postgres

    first, second = tracker(postgres_url).recorder, tracker(postgres_url).recorder
    entered = threading.Event()

    def held_for(seconds: float) -> None:
        with first.writing_roll(SCHOOL_A):
            entered.set()
            threading.Event().wait(seconds)

    holder = threading.Thread(target=held_for, args=(0.5,))
    holder.start()
    entered.wait(5)
    began = time.monotonic()
    with second.writing_roll("999999"):  # another school's: at once
        assert time.monotonic() - began < 0.2
    with second.writing_roll(SCHOOL_A):
        waited = time.monotonic() - began
    holder.join()
    assert 0.3 < waited < 2.0
    monkeypatch.setattr(postgres, "ROLL_LOCK_WAIT", 0.3)
    entered.clear()
    holder = threading.Thread(target=held_for, args=(3.0,))
    holder.start()
    entered.wait(5)
    began = time.monotonic()
    with second.writing_roll(SCHOOL_A):  # held too long: goes ahead, conflicts are still refused
        assert 0.25 < time.monotonic() - began < 1.5
    holder.join()


def test_a_stale_amendment_reports_a_conflict_and_loses_nothing(postgres_url):
    app, activity_id = prepared(postgres_url)
    stale = app._activity(activity_id, None)
    app.amend_activity(activity_id, {"title": "First"})
    stale.amend({"title": "Second"}, None)
    with pytest.raises(ConcurrentChange):
        app.execute(
            lambda: _changes(stale),
            caller=None,
            idempotency_key=None,
            fingerprint="x",
            commutative=False,
        )
    assert tracker(postgres_url)._activity(activity_id, None).title == "First"


def _changes(aggregate):
    from tracker.commands import Changes

    return Changes([aggregate], str(aggregate.id))


def test_the_same_idempotency_key_sent_twice_at_once_stores_one_activity(postgres_url):
    app, _ = prepared(postgres_url, pupils=2)
    upn = make_upn("885", "4001", 18, 1)
    barrier, results = threading.Barrier(2), []

    def send(application: Tracker) -> None:
        barrier.wait()
        results.append(
            application.record_activity(
                SCHOOL_A,
                "employer_talk",
                "Talk",
                date(2019, 1, 10),
                [upn],
                employer=EMPLOYER,
                meaningful=True,
                idempotency_key="same-key",
            )
        )

    threads = [threading.Thread(target=send, args=(tracker(postgres_url),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorded = [
        n
        for n in app.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith("Activity.Recorded")
    ]
    assert len(results) == 2 and results[0] == results[1]
    assert len(recorded) == 2  # the fixture's fair and one talk


def test_a_forked_process_takes_roll_locks_on_a_session_of_its_own(postgres_url):
    recorder = tracker(postgres_url).recorder
    with recorder.writing_roll(SCHOOL_A):
        inherited = recorder._roll_locks._connection
    recorder._roll_locks._pid = -1  # as a process forked after the first lock finds it
    with recorder.writing_roll(SCHOOL_A):
        assert recorder._roll_locks._connection is not inherited
    assert not inherited.closed  # the parent's, left to the parent
    inherited.close()
