"""The same write-side scenario on every store: memory, a SQLite file, a real PostgreSQL
database."""

from __future__ import annotations

import base64
import os
from datetime import date

import pytest

from tests.conftest import TODAY
from tests.scenarios import (
    ADMIN,
    SCHOOL_A,
    SCHOOL_B,
    UPN,
    build_worked_example,
    register_hub_and_schools,
)
from tracker.application import Tracker
from tracker.config import store_settings
from tracker.errors import AlreadyExists, NotOnRoll


def reopen(url: str, **kwargs) -> Tracker:
    return Tracker.from_url(url, today=lambda: TODAY, **kwargs)


def test_the_worked_example_survives_a_restart_with_its_dates_and_metadata(database_url):
    if database_url == "memory://":
        pytest.skip("nothing survives a restart in memory")
    ids = build_worked_example(reopen(database_url))
    app = reopen(database_url)
    fair = app._activity(ids["fair"], None)
    assert fair.occurred_on == date(2018, 11, 15) and isinstance(fair.occurred_on, date)
    assert app._student(UPN["p2"]).current_enrolment.school_urn == SCHOOL_B
    event = next(iter(app.events.get(fair.id)))
    assert (event.actor, event.request_id) == (ADMIN.actor, ADMIN.request_id)


def test_refused_commands_leave_the_event_count_unchanged(database_url):
    app = reopen(database_url)
    build_worked_example(app)
    before = app.recorder.max_notification_id()
    with pytest.raises(AlreadyExists):
        app.register_school(SCHOOL_A, "Again", "secondary", "885", "8854001")
    with pytest.raises(NotOnRoll):
        app.record_activity(
            SCHOOL_B,
            "careers_fair",
            "Fair",
            date(2019, 1, 10),
            [UPN["p1"]],
            employer={"name": "X", "size": "small"},
            meaningful=True,
        )
    assert app.recorder.max_notification_id() == before


def test_an_idempotency_key_holds_across_two_applications_on_one_database(database_url):
    if database_url == "memory://":
        pytest.skip("two applications cannot share a memory store")
    first, second = reopen(database_url), reopen(database_url)
    first.register_school(SCHOOL_A, "School A", "secondary", "885", "8854001")
    written = first.register_hub("DEMO", "Demo", "Area", 1, caller=ADMIN, idempotency_key="hub-1")
    count = second.recorder.max_notification_id()
    assert (
        second.register_hub("DEMO", "Demo", "Area", 1, caller=ADMIN, idempotency_key="hub-1")
        == written
    )
    assert second.recorder.max_notification_id() == count


def test_with_a_cipher_key_a_pupils_name_is_not_in_the_stored_bytes(database_url):
    key = base64.b64encode(os.urandom(32)).decode()
    app = reopen(database_url, cipher_key=key)
    app.register_school(SCHOOL_A, "School A", "secondary", "885", "8854001")
    app.enrol_pupil(
        SCHOOL_A, UPN["p1"], "Zebedee", "Quartermaine", date(2007, 1, 15), 7, date(2018, 9, 3)
    )
    stored = b"".join(n.state for n in app.recorder.select_notifications(start=1, limit=100))
    assert b"Zebedee" not in stored and b"Quartermaine" not in stored
    assert app._student(UPN["p1"]).given_name == "Zebedee"


def test_database_urls_map_onto_the_librarys_settings():
    assert store_settings("postgresql://u:p%40ss@db:5433/tracker?schema=s1") == {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": "adapters.postgres_keys:PostgresKeyedRecorder",
        "POSTGRES_DBNAME": "tracker",
        "POSTGRES_HOST": "db",
        "POSTGRES_PORT": "5433",
        "POSTGRES_USER": "u",
        "POSTGRES_PASSWORD": "p@ss",
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_SCHEMA": "s1",
    }
    assert store_settings("sqlite:////var/x.db")["SQLITE_DBNAME"] == "/var/x.db"
    assert store_settings("sqlite:///rel.db")["SQLITE_DBNAME"] == "rel.db"
    assert store_settings("memory://", "k")["CIPHER_KEY"] == "k"


def _start_on(url: str, at: float) -> int:
    import time

    from projections.store import view_store_for

    time.sleep(max(0.0, at - time.time()))  # all at once, whatever each took to import
    Tracker.from_url(url)
    view_store_for(url).create_tables()
    return os.getpid()


def test_processes_starting_together_on_a_fresh_postgres_database_all_come_up(postgres_url):
    """API workers, the projection worker and the CLI start at once on a new database (compose
    up)."""
    import multiprocessing
    import time

    import psycopg

    at = time.time() + 3
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        started = pool.starmap(_start_on, [(postgres_url, at)] * 4)
    with psycopg.connect(postgres_url) as connection:
        indexes = connection.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'v\\_%'"
        ).fetchall()
    assert len(set(started)) == 4
    assert (
        len(indexes) == len({name for (name,) in indexes}) and len(indexes) == _view_index_count()
    )


def _view_index_count() -> int:
    from projections.tables import INDEXES, OPERATIONAL, TABLES

    # Each live table's own indexes, plus the primary keys its columns declare.
    return sum(
        len(INDEXES.get(name, ())) + ("PRIMARY KEY" in columns)
        for name, columns in {**TABLES, **OPERATIONAL}.items()
    )


def test_a_batch_enrolment_finds_which_pupils_are_already_registered_in_one_query(database_url):
    from tests.scenarios import PUPILS, enrol
    from tracker.domain.student import Student
    from tracker.identifiers import make_upn

    app = reopen(database_url)
    register_hub_and_schools(app)
    moving = PUPILS[0]
    enrol(app, moving)
    app.record_leaving(SCHOOL_A, moving.upn, date(2019, 1, 31), caller=ADMIN)
    newcomer = make_upn("885", "4002", 18, 77)
    ids = [Student.create_id(moving.upn), Student.create_id(newcomer)]
    assert app.recorder.existing_aggregates(ids) == {ids[0]}
    app.enrol_pupils(
        SCHOOL_B,
        [
            {
                "upn": moving.upn,
                "given_name": "P1",
                "family_name": "Pupil",
                "date_of_birth": moving.date_of_birth,
                "year_group": 7,
                "enrolled_on": date(2019, 2, 1),
            },
            {
                "upn": newcomer,
                "given_name": "New",
                "family_name": "Comer",
                "date_of_birth": moving.date_of_birth,
                "year_group": 7,
                "enrolled_on": date(2019, 2, 1),
            },
        ],
        caller=ADMIN,
    )
    assert app.recorder.existing_aggregates(ids) == set(ids)
    again = app if database_url == "memory://" else reopen(database_url)
    assert (
        again.current_school_of(moving.upn) == SCHOOL_B
        and again.current_school_of(newcomer) == SCHOOL_B
    )
    registered = [e for e in again.events.get(ids[0]) if type(e).__name__ == "Registered"]
    assert len(registered) == 1, "the pupil who moved keeps the one record they had"


def test_the_events_of_many_aggregates_come_back_in_one_query_in_log_order(database_url):
    app = Tracker.from_url(database_url, today=lambda: TODAY)
    build_worked_example(app)
    log = app.recorder.select_notifications(start=1, limit=1000)
    wanted = {log[9].originator_id, log[0].originator_id, log[-1].originator_id}
    up_to = log[
        -2
    ].id  # the last event is left out by position, even though its aggregate is wanted
    found = app.recorder.events_of(sorted(wanted), up_to)
    assert found == [n for n in log if n.originator_id in wanted and n.id <= up_to]
    assert len({n.originator_id for n in found}) >= 2 and found[-1].id <= up_to
    assert app.recorder.events_of([], up_to) == []
    assert (
        type(app.mapper.to_domain_event(found[0])).__qualname__
        == type(app.mapper.to_domain_event(log[0])).__qualname__
    )


def test_a_batch_goes_into_postgres_whole_in_order_with_its_bytes_and_a_clash_stores_none_of_it(
    postgres_url,
):
    from uuid import uuid4

    from eventsourcing.persistence import IntegrityError, StoredEvent

    from adapters.postgres import PostgresEventRecorder

    app = reopen(postgres_url)
    recorder = app.recorder
    assert isinstance(recorder, PostgresEventRecorder)
    awkward = (
        bytes(range(256)) + b"'\\\"{},()\x00"
    )  # every byte, and what a composite's text form must escape
    batch = [
        StoredEvent(uuid4(), version, f"topic:{n}", awkward + bytes([n]))
        for n, version in enumerate((1, 2, 7))
    ]
    before = recorder.max_notification_id() or 0
    ids = recorder.insert_events(batch)
    assert ids == [before + 1, before + 2, before + 3]
    stored = recorder.select_notifications(start=before + 1, limit=10)
    assert [(n.originator_id, n.originator_version, n.topic, n.state) for n in stored] == [
        (e.originator_id, e.originator_version, e.topic, e.state) for e in batch
    ]
    clash = [StoredEvent(uuid4(), 1, "topic:new", b"new"), batch[1]]
    with pytest.raises(IntegrityError):
        recorder.insert_events(clash)
    assert recorder.max_notification_id() == before + 3
    assert recorder.select_events(clash[0].originator_id) == []


def test_a_new_pupils_key_goes_into_postgres_with_their_events_in_one_statement_or_not_at_all(
    postgres_url, monkeypatch
):
    from uuid import uuid4

    import psycopg
    from eventsourcing.persistence import IntegrityError, StoredEvent

    app = reopen(postgres_url)  # kept: a dropped application closes its pool
    recorder = app.recorder
    pupil, other = uuid4(), uuid4()
    before = recorder.max_notification_id() or 0
    sent = []
    execute = psycopg.Cursor.execute
    monkeypatch.setattr(
        psycopg.Cursor,
        "execute",
        lambda cursor, *a, **k: sent.append(a[0]) or execute(cursor, *a, **k),
    )
    ids = recorder.insert_events(
        [StoredEvent(pupil, 1, "topic:registered", b"sealed")], new_keys={pupil: b"key-1"}
    )
    assert len(sent) == 1  # the events, the key, the log's lock and NOTIFY: one round trip
    monkeypatch.undo()
    assert ids == [before + 1]
    assert recorder.select_keys([pupil]) == {pupil: b"key-1"}
    # A clash stores neither the new pupil's events nor their key.
    with pytest.raises(IntegrityError):
        recorder.insert_events(
            [StoredEvent(other, 1, "topic:registered", b"sealed"), StoredEvent(pupil, 1, "t", b"")],
            new_keys={other: b"key-2"},
        )
    assert recorder.select_keys([other]) == {}
    assert recorder.max_notification_id() == before + 1
    # An erasure's event and the key it destroys go together.
    recorder.insert_events([StoredEvent(pupil, 2, "topic:erased", b"")], erased_keys=[pupil])
    assert recorder.select_keys([pupil]) == {}
    assert [e.topic for e in recorder.select_events(pupil)] == ["topic:registered", "topic:erased"]


@pytest.mark.parametrize("keyed", [False, True], ids=["events", "events-and-a-key"])
def test_a_postgres_insert_waits_for_the_logs_lock_and_announces_itself_when_it_commits(
    postgres_url, keyed
):
    """One statement does what the library's pipeline did: it takes the log's table lock (so
    positions become visible in order to readers tailing the log) and notifies the log's channel
    on commit; with a new pupil's key as without."""
    import threading
    from uuid import uuid4

    import psycopg
    from eventsourcing.persistence import StoredEvent

    app = reopen(postgres_url)
    recorder = app.recorder
    pupil = uuid4()
    keys = {"new_keys": {pupil: b"key"}} if keyed else {}
    table = recorder.events_table_name
    before = recorder.max_notification_id() or 0
    with (
        psycopg.connect(postgres_url, autocommit=True) as listening,
        psycopg.connect(postgres_url) as holding,
    ):
        listening.execute(f'LISTEN "{recorder.channel_name}"')
        # What an uncommitted INSERT holds: another INSERT would not wait, the log's lock does.
        holding.execute(f"LOCK TABLE {table} IN ROW EXCLUSIVE MODE")
        ids: list = []
        writer = threading.Thread(
            target=lambda: ids.extend(
                recorder.insert_events([StoredEvent(pupil, 1, "t", b"x")], **keys)
            )
        )
        writer.start()
        writer.join(0.5)
        assert writer.is_alive() and ids == []  # waiting for the lock
        assert list(listening.notifies(timeout=0.2, stop_after=1)) == []
        holding.rollback()
        writer.join(10)
        assert ids == [before + 1]
        (notice,) = listening.notifies(timeout=5, stop_after=1)
        assert notice.channel == recorder.channel_name


def test_the_event_stores_connections_never_compile_or_parallelise_a_lookup(postgres_url):
    app = reopen(postgres_url)
    app.register_school(
        SCHOOL_A, "School A", "secondary", "885", "8854001"
    )  # a connection in use, and more
    pool = app.recorder.datastore.pool
    connections = [pool.getconn() for _ in range(3)]
    try:
        for connection in connections:
            assert connection.execute("SHOW jit").fetchone()["jit"] == "off"
            assert (
                connection.execute("SHOW max_parallel_workers_per_gather").fetchone()[
                    "max_parallel_workers_per_gather"
                ]
                == "0"
            )
    finally:
        for connection in connections:
            pool.putconn(connection)
