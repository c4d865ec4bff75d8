"""Erasing a pupil's identity: who may ask, when, what it stores, and what reads as erased, in
memory."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import TODAY
from tests.scenarios import ADMIN, PUPILS, SCHOOL_A, SCHOOL_B, UPN, enrol, register_hub_and_schools
from tracker.application import Tracker
from tracker.domain.student import Student
from tracker.errors import EnrolmentRefused, InvalidValue, PupilNotFound, RuleBroken
from tracker.identity import SEALED
from tracker.usecases.erasure import years_before


@pytest.fixture
def app():
    tracker = Tracker.from_url("memory://", today=lambda: TODAY)
    register_hub_and_schools(tracker)
    for pupil in PUPILS:
        enrol(tracker, pupil)
    tracker.record_leaving(SCHOOL_A, UPN["p1"], date(2019, 2, 28), "moved_away", caller=ADMIN)
    return tracker


def count(app: Tracker) -> int:
    return app.recorder.max_notification_id()


def refused(app: Tracker, error: type, command, *args) -> str:
    before = count(app)
    with pytest.raises(error) as raised:
        command(*args)
    assert count(app) == before
    return raised.value.field


def test_a_leavers_identity_is_erased_at_the_request_of_the_school_that_held_them(app):
    assert app.identity_of(UPN["p1"]) == {
        "given_name": "P1",
        "family_name": "Pupil",
        "date_of_birth": PUPILS[0].date_of_birth,
        "as_enrolled": [(SCHOOL_A, "P1", "Pupil")],
    }
    app.erase_pupil(UPN["p1"], SCHOOL_A, "parent asked", caller=ADMIN)
    assert app.identity_of(UPN["p1"]) == {
        "given_name": None,
        "family_name": None,
        "date_of_birth": None,
        "as_enrolled": [(SCHOOL_A, None, None)],
    }
    student = app._student(UPN["p1"])
    assert (student.given_name, student.family_name, student.date_of_birth, student.erased) == (
        None,
        None,
        None,
        True,
    )
    assert app.recorder.select_keys([student.id]) == {}
    erased = list(app.events.get(student.id))[-1]
    assert (type(erased), erased.requested_by, erased.reason, erased.actor) == (
        Student.IdentityErased,
        SCHOOL_A,
        "parent asked",
        ADMIN.actor,
    )


def test_erasing_twice_stores_nothing_the_second_time(app):
    first = app.erase_pupil(UPN["p1"], SCHOOL_A, "parent asked")
    assert app.erase_pupil(UPN["p1"], SCHOOL_A, "asked again") == first
    assert count(app) == first.position


def test_only_a_school_that_held_the_pupil_may_ask_and_only_once_they_have_left(app):
    assert (
        refused(app, RuleBroken, app.erase_pupil, UPN["p1"], SCHOOL_B, "not ours") == "requested_by"
    )
    assert refused(app, RuleBroken, app.erase_pupil, UPN["p3"], SCHOOL_A, "still here") == "upn"
    assert (
        refused(app, InvalidValue, app.erase_pupil, UPN["p1"], "9000", "bad URN") == "requested_by"
    )
    assert refused(app, InvalidValue, app.erase_pupil, UPN["p1"], SCHOOL_A, " ") == "reason"
    assert (
        refused(app, PupilNotFound, app.erase_pupil, "X885400112099", SCHOOL_A, "nobody") == "upn"
    )
    assert app.identity_of(UPN["p1"])["given_name"] == "P1"


def test_a_pupil_whose_identity_was_erased_cannot_be_enrolled_again(app):
    app.erase_pupil(UPN["p1"], SCHOOL_A, "parent asked")
    # The same refusal as for any pupil who cannot be enrolled as given: it tells no school of the
    # erasure.
    assert (
        refused(app, EnrolmentRefused, enrol, app, PUPILS[0], date(2019, 3, 4), SCHOOL_B) == "upn"
    )


def test_every_key_but_the_erased_pupils_stays(app):
    ids = [Student.create_id(pupil.upn) for pupil in PUPILS]
    app.erase_pupil(UPN["p1"], SCHOOL_A, "parent asked")
    assert set(app.recorder.select_keys(ids)) == set(ids[1:])


def test_pseudonymising_now_erases_the_date_of_birth_too(app):
    app.pseudonymise_pupil(UPN["p1"])
    assert app.identity_of(UPN["p1"])["date_of_birth"] is None
    assert list(app.events.get(Student.create_id(UPN["p1"])))[-1].requested_by is None


def test_an_identity_pseudonymised_by_older_versions_still_reads_as_erased(app):
    student = app._student(UPN["p1"])
    student._identity_pseudonymised()  # as the versions before erasure recorded it
    app.save(student)
    stored = list(app.events.get(student.id))
    assert type(stored[-1]) is Student.IdentityPseudonymised
    cold = app.repository.get(
        student.id, version=len(stored)
    )  # rebuilt from the events, not the cache
    assert cold.erased and (cold.given_name, cold.date_of_birth) == (None, None)


def test_the_retention_rule_erases_leavers_only_once_the_years_have_passed(app):
    six_years = years_before(TODAY, 6)
    assert (
        refused(app, RuleBroken, app.erase_after_retention, UPN["p1"], 6) == "upn"
    )  # left this year
    assert (
        refused(app, RuleBroken, app.erase_after_retention, UPN["p3"], 6) == "upn"
    )  # still on roll
    app.today = lambda: date(2025, 2, 28)
    app.erase_after_retention(UPN["p1"], 6)
    erased = list(app.events.get(Student.create_id(UPN["p1"])))[-1]
    assert (erased.requested_by, erased.reason) == (
        None,
        "retention: left on 2019-02-28, kept 6 years",
    )
    assert six_years == date(2013, 7, 15) and years_before(date(2024, 2, 29), 6) == date(
        2018, 2, 28
    )


def test_a_sealed_identity_moved_to_another_pupils_event_does_not_open(app):
    from eventsourcing.persistence import StoredEvent

    first, second = (
        next(iter(app.recorder.select_events(Student.create_id(UPN[name]), lte=1)))
        for name in ("p1", "p3")
    )
    moved = app.mapper.decode_state(second.state)
    moved[SEALED] = app.mapper.decode_state(first.state)[SEALED]
    forged = StoredEvent(second.originator_id, 1, second.topic, app.mapper.encode_state(moved))
    with pytest.raises(ValueError):
        app.mapper.to_domain_event(forged)


def test_identities_sealed_by_the_earlier_cipher_library_still_open_and_the_same_bytes_come_out():
    """Stored identities were sealed by pycryptodome before `cryptography` took over: the same
    RFC 8439 construction, so each opens the other's, and a wrong pupil's id opens neither."""
    import os
    from base64 import b64encode
    from uuid import uuid4

    from Crypto.Cipher import ChaCha20_Poly1305

    from tracker.identity import new_key, seal, unseal

    key, pupil, plaintext = new_key(), uuid4(), b'{"given_name": "Ada"}'
    nonce = os.urandom(12)
    cipher = ChaCha20_Poly1305.new(key=key, nonce=nonce)
    cipher.update(pupil.bytes)
    encrypted, tag = cipher.encrypt_and_digest(plaintext)
    earlier = b64encode(nonce + tag + encrypted).decode()
    assert unseal(earlier, key, pupil) == plaintext
    assert unseal(seal(plaintext, key, pupil), key, pupil) == plaintext
    for sealed in (earlier, seal(plaintext, key, pupil)):
        with pytest.raises(ValueError):
            unseal(sealed, key, uuid4())


def test_a_leaving_recorded_ahead_of_its_day_is_not_yet_a_leaver(app):
    app.record_leaving(
        SCHOOL_A, UPN["p3"], date(2019, 8, 31), caller=ADMIN
    )  # recorded in July for 31 August
    assert refused(app, RuleBroken, app.erase_pupil, UPN["p3"], SCHOOL_A, "too soon") == "upn"
    app.today = lambda: date(2019, 9, 1)
    app.erase_pupil(UPN["p3"], SCHOOL_A, "now gone")
    assert app.identity_of(UPN["p3"])["given_name"] is None


def test_a_later_schools_spelling_is_sealed_under_the_pupils_one_key_and_erased_with_it(app):
    key = app.recorder.select_keys([Student.create_id(UPN["p1"])])
    app.enrol_pupil(
        SCHOOL_B,
        UPN["p1"],
        "Pea",
        "Pupil",
        PUPILS[0].date_of_birth,
        7,
        date(2019, 3, 4),
        caller=ADMIN,
    )
    assert app.recorder.select_keys([Student.create_id(UPN["p1"])]) == key
    assert app.identity_of(UPN["p1"])["as_enrolled"] == [
        (SCHOOL_A, "P1", "Pupil"),
        (SCHOOL_B, "Pea", "Pupil"),
    ]
    enrolled = list(app.recorder.select_events(Student.create_id(UPN["p1"])))[-1]
    assert b"Pea" not in enrolled.state and SEALED in app.mapper.decode_state(enrolled.state)
    app.record_leaving(SCHOOL_B, UPN["p1"], date(2019, 5, 1), caller=ADMIN)
    app.erase_pupil(UPN["p1"], SCHOOL_B, "parent asked")
    assert app.identity_of(UPN["p1"])["as_enrolled"] == [
        (SCHOOL_A, None, None),
        (SCHOOL_B, None, None),
    ]
