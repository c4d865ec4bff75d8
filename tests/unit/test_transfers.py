"""Enrolling a UPN registered at another school: the full identity or one refusal that tells
nothing."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import TODAY
from tests.scenarios import ADMIN, PUPILS, SCHOOL_A, SCHOOL_B, UPN, register_hub_and_schools
from tracker.application import Tracker
from tracker.domain.student import Student
from tracker.errors import AlreadyExists, EnrolmentRefused, Forbidden, FutureDate
from tracker.names import name_key, same_name

P1 = PUPILS[0]  # registered at school A as "P1 O'Brien-Smith", born 2007-01-15
FAMILY = "O'Brien-Smith"


@pytest.fixture
def app():
    tracker = Tracker.from_url("memory://", today=lambda: TODAY)
    register_hub_and_schools(tracker)
    tracker.enrol_pupil(
        SCHOOL_A, P1.upn, "P1", FAMILY, P1.date_of_birth, 7, date(2018, 9, 3), caller=ADMIN
    )
    return tracker


def left_school_a(app: Tracker) -> Tracker:
    app.record_leaving(SCHOOL_A, P1.upn, date(2019, 1, 4), "moved_away", caller=ADMIN)
    return app


def enrol_at_b(
    app: Tracker,
    family_name: str = FAMILY,
    born: date = P1.date_of_birth,
    on: date = date(2019, 1, 7),
    given_name: str = "Paddy",
):
    return app.enrol_pupil(SCHOOL_B, P1.upn, given_name, family_name, born, 7, on, caller=ADMIN)


def refusal(app: Tracker, **changes) -> dict:
    before = app.recorder.max_notification_id()
    with pytest.raises(EnrolmentRefused) as refused:
        enrol_at_b(app, **changes)
    assert app.recorder.max_notification_id() == before, "a refused enrolment stores nothing"
    return refused.value.errors


@pytest.mark.parametrize(
    "recorded, given",
    [
        ("O'Brien", "OBRIEN"),
        ("O’Brien", "o'brien"),
        ("Smith-Jones", "  Smith  Jones "),
        ("Zoë", "ZOE"),
        ("Ørsted", "orsted"),
        ("Straße", "STRASSE"),
        ("Mc Donald", "McDonald"),
    ],
)
def test_names_are_compared_without_case_accents_spaces_hyphens_or_apostrophes(recorded, given):
    assert same_name(recorded, given)


@pytest.mark.parametrize(
    "recorded, given", [("Smith", "Smyth"), ("Müller", "Mueller"), ("---", "---"), (None, "Smith")]
)
def test_a_different_spelling_a_name_without_letters_or_no_name_at_all_does_not_match(
    recorded, given
):
    assert not same_name(recorded, given)
    assert name_key("---") == ""


def test_a_new_pupil_is_enrolled_even_with_a_family_name_no_later_school_could_match(app):
    assert (
        app.enrol_pupil(SCHOOL_B, UPN["p6"], "Ann", "-", date(2006, 1, 15), 8, date(2018, 9, 3)).id
        == UPN["p6"]
    )


def test_a_pupil_who_left_is_enrolled_elsewhere_when_their_birth_date_and_family_name_match(app):
    written = enrol_at_b(left_school_a(app), family_name="o’brien smith")
    assert written.id == P1.upn and app.current_school_of(P1.upn) == SCHOOL_B


def test_every_refusal_of_another_schools_pupil_is_the_same_answer(app):
    on_roll_matching = refusal(app)
    on_roll_wrong_birth = refusal(app, born=date(2007, 1, 16))
    left = left_school_a(app)
    answers = [
        on_roll_matching,
        on_roll_wrong_birth,
        refusal(left, born=date(2007, 1, 16)),
        refusal(left, family_name="Smith"),
        refusal(left, on=date(2019, 1, 4)),
    ]
    assert all(answer == answers[0] for answer in answers)
    assert list(answers[0]) == ["upn"]
    text = str(answers[0])
    for secret in (
        SCHOOL_A,
        "2018-09-03",
        "2019-01-04",
        "2007-01-15",
        "date of birth is",
        "different",
    ):
        assert secret not in text


def test_the_schools_own_pupil_gets_a_specific_answer(app):
    with pytest.raises(AlreadyExists) as refused:
        app.enrol_pupil(SCHOOL_A, P1.upn, "P1", "Anything", date(2007, 2, 1), 7, date(2019, 1, 7))
    assert "already on roll at this school since 2018-09-03" in refused.value.message


def test_a_value_wrong_in_itself_is_refused_for_what_it_is_before_any_record_is_read(app):
    with pytest.raises(FutureDate):
        enrol_at_b(app, born=date(2019, 7, 16))


def test_a_pseudonymised_pupil_has_no_name_left_to_match(app):
    left_school_a(app).pseudonymise_pupil(P1.upn, caller=ADMIN)
    refusal(app)


def test_a_batch_enrolment_gives_the_same_refusal_for_another_schools_pupil(app):
    row = {
        "upn": P1.upn,
        "given_name": "P1",
        "family_name": "Smith",
        "date_of_birth": P1.date_of_birth,
        "year_group": 7,
        "enrolled_on": date(2019, 1, 7),
    }
    left_school_a(app)
    with pytest.raises(EnrolmentRefused) as wrong_name:
        app.enrol_pupils(SCHOOL_B, [row])
    with pytest.raises(EnrolmentRefused) as too_early:
        app.enrol_pupils(
            SCHOOL_B, [{**row, "family_name": FAMILY, "enrolled_on": date(2019, 1, 3)}]
        )
    assert wrong_name.value.errors == too_early.value.errors == refusal(app, family_name="Smith")
    app.enrol_pupils(SCHOOL_B, [{**row, "family_name": FAMILY}])
    assert app.current_school_of(P1.upn) == SCHOOL_B


def test_an_enrolment_keeps_the_names_the_enrolling_school_gave(app):
    enrol_at_b(left_school_a(app), family_name="OBRIEN SMITH", given_name="Paddy")
    enrolled = [
        e for e in app.events.get(Student.create_id(P1.upn)) if isinstance(e, Student.Enrolled)
    ]
    assert [(e.school_urn, e.given_name, e.family_name) for e in enrolled] == [
        (SCHOOL_A, "P1", FAMILY),
        (SCHOOL_B, "Paddy", "OBRIEN SMITH"),
    ]


def test_an_enrolment_stored_before_names_were_kept_reads_back_with_none(app):
    stored = next(
        s
        for s in app.recorder.select_events(Student.create_id(P1.upn))
        if s.topic.endswith("Enrolled")
    )
    state = app.mapper.transcoder.decode(stored.state)
    for newer in (
        "given_name",
        "family_name",
        "sealed_identity",
        "class_version",
    ):  # names are stored sealed
        state.pop(newer, None)
    old = type(stored)(
        stored.originator_id,
        stored.originator_version,
        stored.topic,
        app.mapper.transcoder.encode(state),
    )
    event = app.mapper.to_domain_event(old)
    assert (event.school_urn, event.given_name, event.family_name) == (SCHOOL_A, None, None)


def test_only_the_school_holding_a_pupil_may_change_their_year_group(app):
    left_school_a(app)
    enrol_at_b(app)
    with pytest.raises(Forbidden):
        app.change_year_group(P1.upn, 8, "2018/19", within_school=SCHOOL_A)
    assert app.change_year_group(P1.upn, 8, "2018/19", within_school=SCHOOL_B).position > 0


def test_whether_an_enrolment_reaches_for_a_pupil_registered_elsewhere(app):
    assert not app.registered_elsewhere(SCHOOL_A, P1.upn)
    assert app.registered_elsewhere(SCHOOL_B, P1.upn)
    assert not app.registered_elsewhere(SCHOOL_B, UPN["p2"])
