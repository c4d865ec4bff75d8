"""`migrate-identities` on every store, with and without `CIPHER_KEY`: events written as the
versions before per-pupil keys wrote them are sealed in place, read the same, and keep no identity
in the clear."""

from __future__ import annotations

import base64
import json
import os
from contextlib import contextmanager
from datetime import date

import pytest
from eventsourcing.persistence import EventStore, Mapper

from projections.queries import Reads
from projections.rebuild import rebuild, verify
from projections.runner import Runner
from projections.store import view_store_for
from tests.conftest import TODAY
from tests.scenarios import ADMIN, SCHOOL_A, SCHOOL_B, build_worked_example
from tracker.application import Tracker
from tracker.calendar import AcademicYear, year_group_for_birth
from tracker.domain.student import Student
from tracker.identifiers import make_upn
from tracker.migration import migrate_identities

KEPT, PSEUDONYMISED, ERASED = (make_upn("885", "4001", 12, serial) for serial in (901, 902, 903))
NAMES = {
    KEPT: ("Zebedee", "Quartermaine", date(2006, 3, 17)),
    PSEUDONYMISED: ("Ottoline", "Pseudonymova", date(2006, 4, 18)),
    ERASED: ("Erasmus", "Cleardown", date(2006, 5, 19)),
}
GONE = [
    text for upn in (PSEUDONYMISED, ERASED) for text in (*NAMES[upn][:2], NAMES[upn][2].isoformat())
]
SEALED_ONLY = [text for text in (*NAMES[KEPT][:2], NAMES[KEPT][2].isoformat())] + GONE
CIPHERS = {"plain": None, "cipher": base64.b64encode(os.urandom(32)).decode()}


@contextmanager
def writing_as_older_versions_did(app: Tracker):
    """Events stored through the library's own mapper, as every version before per-pupil keys stored
    them."""
    keyed = app.events
    app.events = EventStore(Mapper(app.mapper.transcoder, cipher=app.mapper.cipher), app.recorder)
    try:
        yield
    finally:
        app.events = keyed


def enrol(app: Tracker, upn: str) -> None:
    given, family, born = NAMES[upn]
    app.enrol_pupil(
        SCHOOL_A,
        upn,
        given,
        family,
        born,
        year_group_for_birth(born, AcademicYear(2018)),
        date(2018, 9, 3),
        caller=ADMIN,
    )
    app.record_leaving(SCHOOL_A, upn, date(2019, 5, 31), caller=ADMIN)


@pytest.fixture(params=sorted(CIPHERS))
def older(request, database_url):
    """A store written by older versions, one of whose leavers they pseudonymised; then, before the
    migration ran, a leaver erased by this version."""
    app = Tracker.from_url(database_url, CIPHERS[request.param], today=lambda: TODAY)
    with writing_as_older_versions_did(app):
        build_worked_example(app)
        for upn in NAMES:
            enrol(app, upn)
        student = app._student(PSEUDONYMISED)
        student._identity_pseudonymised()  # the older versions' pseudonymising
        app.save(student)
    app.erase_pupil(ERASED, SCHOOL_A, "asked before the migration ran", caller=ADMIN)
    store = view_store_for(database_url)
    store.create_tables()
    Runner(app, store).catch_up()
    yield app, store
    store.close()


def stored(app: Tracker) -> list[bytes]:
    return [n.state for n in app.recorder.select_notifications(start=1, limit=10**6)]


def decrypted(app: Tracker) -> str:
    """The log with `CIPHER_KEY` taken off each event, and nothing else opened."""
    return json.dumps([app.mapper.decode_state(state) for state in stored(app)], default=str)


def identities(app: Tracker) -> dict:
    registered = app.recorder.select_notifications(
        start=1, limit=10**6, topics=["tracker.domain.student:Student.Registered"]
    )
    upns = [event.upn for event in app.mapper.to_domain_events(registered, identities=False)]
    return {upn: app.identity_of(upn) for upn in upns}


def nothing_of(identity: dict) -> dict:
    """An identity as it reads once erased: the same enrolments, with no names."""
    return {
        "given_name": None,
        "family_name": None,
        "date_of_birth": None,
        "as_enrolled": [(urn, None, None) for urn, _, _ in identity["as_enrolled"]],
    }


def figures(app: Tracker, store) -> list:
    reads = Reads(app, store, today=lambda: TODAY)
    return [
        reads.school_status(urn, as_of=day)
        for urn in (SCHOOL_A, SCHOOL_B)
        for day in (date(2019, 3, 31), TODAY)
    ]


def test_identities_stored_in_the_clear_are_sealed_and_read_the_same(older):
    app, store = older
    before, readable, counts = stored(app), identities(app), figures(app, store)
    assert all(text in decrypted(app) for text in NAMES[KEPT][:2] + NAMES[PSEUDONYMISED][:2])
    assert not any(
        text in decrypted(app) for text in NAMES[ERASED][:2]
    )  # sealed when it was erased

    report = migrate_identities(app, batch_size=3)

    # 10 registrations and 11 enrolments (p2's two) carry an identity; the erased leaver's two are
    # sealed.
    assert (report.examined, report.in_the_clear, report.sealed) == (21, 19, 19)
    assert [text for text in SEALED_ONLY if text in decrypted(app)] == []
    if app.mapper.cipher is None:
        assert not any(text.encode() in b"".join(stored(app)) for text in SEALED_ONLY)
    erased = {PSEUDONYMISED, ERASED}
    assert identities(app) == {
        upn: (nothing_of(identity) if upn in erased else identity)
        for upn, identity in readable.items()
    }
    held = app.recorder.select_keys([Student.create_id(upn) for upn in readable])
    assert set(held) == {Student.create_id(upn) for upn in readable if upn not in erased}
    assert (
        len(stored(app)) == len(before)
        and sum(a != b for a, b in zip(before, stored(app), strict=True)) == 19
    )
    assert (
        verify(app, store) == [] and figures(app, store) == counts
    )  # the views read alike, before and after
    rebuild(app, store)
    assert figures(app, store) == counts


def test_a_dry_run_changes_nothing_and_a_second_run_finds_nothing_to_do(older):
    app, _ = older
    before = stored(app)
    assert migrate_identities(app, dry_run=True).in_the_clear == 19 and stored(app) == before
    migrate_identities(app)
    after = stored(app)
    again = migrate_identities(app)
    assert (again.in_the_clear, again.sealed) == (0, 0) and stored(app) == after


def test_a_run_that_stops_part_way_keeps_what_it_sealed_and_the_next_run_finishes(older):
    app, _ = older
    readable = identities(app)

    def stop_after_the_first_batch(report):
        raise KeyboardInterrupt  # the operator, or the machine, stopping the run

    with pytest.raises(KeyboardInterrupt):
        migrate_identities(app, batch_size=4, progress=stop_after_the_first_batch)
    assert (
        migrate_identities(app, dry_run=True).in_the_clear == 19 - 4
    )  # the first batch stayed sealed
    finished = migrate_identities(app, batch_size=4)
    assert finished.sealed == 15 and migrate_identities(app, dry_run=True).in_the_clear == 0
    assert {
        upn: identity
        for upn, identity in identities(app).items()
        if upn not in (PSEUDONYMISED, ERASED)
    } == {upn: identity for upn, identity in readable.items() if upn not in (PSEUDONYMISED, ERASED)}
