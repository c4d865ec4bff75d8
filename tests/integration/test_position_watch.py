"""Read-your-writes waits: one reader of the views' position for all of a process's waiting
requests, woken by the page the runner commits."""

from __future__ import annotations

import threading
import time

from projections.position_watch import PositionWatch, watch_for
from projections.queries import Reads
from projections.runner import TRACKING_NAME, Runner
from tests.integration.test_runner import record_fair, world


class CountedPosition:
    """The views' position as a store gives it, counting the reads."""

    def __init__(self, store):
        self.store, self.reads = store, 0

    def __call__(self) -> int:
        self.reads += 1
        return self.store.position(TRACKING_NAME)


def test_a_committed_page_wakes_the_waiting_reads_long_before_the_fallback_poll(postgres_url):
    app, store = world(postgres_url)
    Runner(app, store).catch_up()
    watch = watch_for(store, TRACKING_NAME)
    watch._interval = 30.0  # only the page's announcement can end the wait in time
    position = record_fair(app).position
    threading.Timer(0.3, Runner(app, store).catch_up).start()
    began = time.monotonic()
    assert watch.wait_for(position, timeout=10.0)
    assert time.monotonic() - began < 5.0


def test_many_waiting_reads_share_one_reader_of_the_position(database_url):
    app, store = world(database_url)
    Runner(app, store).catch_up()
    position = record_fair(app).position
    counted = CountedPosition(store)
    watch = PositionWatch(counted, lambda: time.sleep, 0.1)
    answers: list[bool] = []
    waiters = [
        threading.Thread(target=lambda: answers.append(watch.wait_for(position, 10.0)))
        for _ in range(20)
    ]
    began = time.monotonic()
    for waiter in waiters:
        waiter.start()
    time.sleep(0.5)  # 20 waiters each polling every 2 ms would have read it 5,000 times by now
    Runner(app, store).catch_up()
    for waiter in waiters:
        waiter.join(timeout=15)
    assert answers == [True] * 20
    assert counted.reads <= (time.monotonic() - began) / 0.1 + 3  # one read a wake, whoever waits


def test_a_wait_for_a_position_the_views_never_reach_gives_up_at_its_timeout(database_url):
    app, store = world(database_url)
    Runner(app, store).catch_up()
    reads = Reads(app, store)
    began = time.monotonic()
    assert not reads.wait_for(store.position() + 1, timeout=0.3)
    assert 0.3 <= time.monotonic() - began < 3.0
    assert reads.wait_for(store.position(), timeout=0.3)
