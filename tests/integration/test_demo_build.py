"""How the demo is built fast: as the store's only writer (saved aggregates cached as saved), with
SQLite commits not waiting for the disk until the end, and the same events recorded as ever."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from cli import main
from projections.store import view_store_for
from tests.conftest import TODAY
from tracker.application import Tracker
from tracker.calendar import AcademicYear
from tracker.demo import DEMO, Establishment, build_demo, pupils_for, sole_writer
from tracker.errors import ConcurrentChange

SCILLY = Establishment("144638", "4204002", "420", "The Five Islands Academy", "secondary", 92)


def stored_events(app: Tracker) -> list[tuple[int, str, dict]]:
    """Every event in log order, decoded (identities opened: they are sealed under random keys),
    its aggregate numbered by first appearance (activity ids are random) and its timestamp left
    out."""
    aggregates: dict = {}
    notifications = app.recorder.select_notifications(start=1, limit=1_000_000)
    return [
        (
            aggregates.setdefault(event.originator_id, len(aggregates)),
            type(event).__qualname__,
            {
                name: value
                for name, value in vars(event).items()
                if name not in ("originator_id", "timestamp")
            },
        )
        for event in app.mapper.to_domain_events(notifications)
    ]


def synchronous(app: Tracker) -> int:
    """SQLite's `synchronous` setting on the connection the application writes through."""
    with app.recorder.datastore.get_connection(commit=True) as connection:
        cursor = connection.cursor()
        cursor.execute("PRAGMA synchronous")
        return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def as_usual() -> list[tuple[int, str, dict]]:
    """Scilly's and Rutland's demo built by the application as the API runs it."""
    usual = Tracker.from_url("memory://", today=lambda: TODAY)
    build_demo(usual, ("420",), hub="SCILLY", outside=("857",))
    return stored_events(usual)


def test_the_demo_writer_records_the_same_events_as_the_application_the_api_runs(
    database_url, as_usual
):
    demo = sole_writer(database_url, today=lambda: TODAY)
    with demo.recorder.bulk_loading():
        build_demo(demo, ("420",), hub="SCILLY", outside=("857",))
    recorded = stored_events(demo)
    assert len(recorded) > 5000  # three years at four schools: rollovers, destinations, intakes
    assert recorded == as_usual


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_a_second_writer_stops_the_demo_writer_rather_than_being_written_over(database_url):
    demo, other = (
        sole_writer(database_url, today=lambda: TODAY),
        Tracker.from_url(database_url, today=lambda: TODAY),
    )
    demo.register_school(SCILLY.urn, SCILLY.name, "secondary", "420", SCILLY.laestab, caller=DEMO)
    pupils = pupils_for(SCILLY, 0, AcademicYear.containing(TODAY), random.Random(1), count=2)
    demo.enrol_pupils(SCILLY.urn, pupils, caller=DEMO)
    upn = pupils[0]["upn"]
    other.record_leaving(SCILLY.urn, upn, TODAY, "fe_college", caller=DEMO)
    head = other.recorder.max_notification_id()
    assert demo.current_school_of(upn) == SCILLY.urn, (
        "the demo writer reads what it saved, not the store"
    )
    with pytest.raises(ConcurrentChange):
        demo.record_leaving(SCILLY.urn, upn, TODAY, "employment", caller=DEMO)
    assert other.recorder.max_notification_id() == head, "nothing stored from the stale copy"
    assert Tracker.from_url(database_url).current_school_of(upn) is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_bulk_load_into_sqlite_commits_without_fsync_and_ends_with_everything_in_the_file(
    database_url,
):
    app = Tracker.from_url(database_url, today=lambda: TODAY)
    assert synchronous(app) == 2  # FULL: every commit waits for the disk
    with app.recorder.bulk_loading():
        assert synchronous(app) == 1  # NORMAL: under WAL, consistent through a power cut
        app.register_school(
            SCILLY.urn, SCILLY.name, "secondary", "420", SCILLY.laestab, caller=DEMO
        )
    assert synchronous(app) == 2
    path = Path(database_url.removeprefix("sqlite:///"))
    assert Path(f"{path}-wal").stat().st_size == 0, (
        "checkpointed: every commit is in the database file"
    )
    assert Tracker.from_url(database_url).school_exists(SCILLY.urn)


@pytest.mark.parametrize("database_url", ["memory", "postgres"], indirect=True)
def test_a_bulk_load_elsewhere_runs_as_usual(database_url):
    app = Tracker.from_url(database_url, today=lambda: TODAY)
    with app.recorder.bulk_loading():
        app.register_school(
            SCILLY.urn, SCILLY.name, "secondary", "420", SCILLY.laestab, caller=DEMO
        )
    assert app.school_exists(SCILLY.urn)


def test_tracker_demo_builds_the_hub_catches_the_views_up_and_builds_once(
    tmp_path, monkeypatch, capsys
):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["demo", "--if-empty", "--la", "420", "--outside", "857"]) == 0
    out = capsys.readouterr().out
    assert re.search(
        r"demo hub WORCS: 1 schools in the hub and 3 outside it, \d{4} pupils, \d+ activities", out
    )
    app = Tracker.from_url(url)
    head = app.recorder.max_notification_id()
    assert view_store_for(url).position() == head - 2, (
        "views at the head but for the two tokens issued after"
    )
    assert main(["demo", "--if-empty", "--la", "420"]) == 0
    assert "already holds events" in capsys.readouterr().out
    assert app.recorder.max_notification_id() == head
