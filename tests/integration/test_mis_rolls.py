"""MIS rolls as SIMS, Arbor and Bromcom write them (files in tests/data): NC Year is the year group
in the academic year of the export, admission dates are in the past, flags come in each system's
words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from tests.conftest import TODAY
from tests.integration.test_import_fuzz import GOOD_UPNS, fresh_app
from tests.scenarios import SCHOOL_A, register_hub_and_schools
from tracker.application import Tracker
from tracker.calendar import AcademicYear
from tracker.domain.student import Student
from tracker.imports import import_pupils

DATA = Path(__file__).parent.parent / "data"
THIS_YEAR = AcademicYear.containing(TODAY)  # 2018/19: the tests' exports are made on TODAY


def enrolled(app, upn: str):
    """The pupil's Enrolled event: the year group and flags exactly as stored."""
    return next(e for e in app.events.get(Student.create_id(upn)) if type(e).__name__ == "Enrolled")


def test_a_sims_roll_enrols_every_good_row_in_its_year_group_now_and_refuses_the_bad_one():
    app = fresh_app()
    report = import_pupils(app, SCHOOL_A, (DATA / "sims-roll.csv").read_bytes())
    assert (report.accepted, report.changed, report.unchanged) == (7, 0, 0)
    assert [(r["line"], list(r["reasons"])) for r in report.rejected] == [(8, ["date_of_birth"])]
    now = {upn: app.year_group_of(upn, THIS_YEAR) for upn in GOOD_UPNS_IN_SIMS}
    assert now == dict(zip(GOOD_UPNS_IN_SIMS, [11, 11, 10, 10, 9, 8, 7], strict=True))
    amy = enrolled(app, "V885400118040")  # admitted in Year 7 in 2014/15
    assert (amy.enrolled_on, amy.year_group, amy.academic_year) == (date(2014, 9, 3), 7, 2014)
    assert [enrolled(app, upn).sen for upn in GOOD_UPNS_IN_SIMS[:3]] == [False, True, True]


GOOD_UPNS_IN_SIMS = [
    "V885400118040",
    "J885400118041",
    "Y885400118042",
    "M885400118043",
    "B885400118044",
    "Q885400118045",
    "E885400118046",
]


def test_importing_the_same_roll_again_stores_nothing():
    app = fresh_app()
    data = (DATA / "sims-roll.csv").read_bytes()
    import_pupils(app, SCHOOL_A, data)
    head = app.recorder.max_notification_id()
    again = import_pupils(app, SCHOOL_A, data)
    assert (again.accepted, again.changed, again.unchanged, len(again.rejected)) == (0, 0, 7, 1)
    assert app.recorder.max_notification_id() == head


def test_a_later_roll_that_moves_a_pupil_to_another_year_group_records_the_change_once():
    app = fresh_app()
    import_pupils(app, SCHOOL_A, (DATA / "sims-roll.csv").read_bytes())
    moved = import_pupils(app, SCHOOL_A, (DATA / "bromcom-roll.csv").read_bytes())
    assert (moved.accepted, moved.changed, moved.unchanged, moved.rejected) == (0, 1, 2, [])
    assert app.year_group_of("Y885400118042", THIS_YEAR) == 9
    head = app.recorder.max_notification_id()
    assert import_pupils(app, SCHOOL_A, (DATA / "bromcom-roll.csv").read_bytes()).changed == 0
    assert app.recorder.max_notification_id() == head


def test_an_arbor_roll_in_windows_1252_reads_its_sen_and_pupil_premium_words():
    app = fresh_app()
    report = import_pupils(app, SCHOOL_A, (DATA / "arbor-roll.csv").read_bytes())
    assert report.accepted == 3
    assert [(r["line"], r["reasons"]["sen"]) for r in report.rejected] == [
        (5, ["sen 'Sometimes' is not a value this column takes"])
    ]
    flags = [
        (enrolled(app, upn).sen, enrolled(app, upn).pupil_premium)
        for upn in ("H885400118048", "X885400118049", "H885400118050")
    ]
    assert flags == [(True, True), (True, False), (False, True)]
    assert app.repository.get(Student.create_id("H885400118048")).given_name == "Zoë"
    assert app.year_group_of("H885400118048", THIS_YEAR) == 10


def test_the_export_date_decides_which_year_the_nc_year_is_for():
    app = fresh_app()
    row = (
        "UPN,Legal Surname,Legal Forename,DOB,NC Year,Admission Date\n"
        "V885400118040,Adams,Amy,14/10/2002,10,03/09/2014\n"
    )
    report = import_pupils(
        app, SCHOOL_A, row.encode(), exported_on=date(2018, 3, 1)
    )  # a 2017/18 export
    assert report.accepted == 1
    assert app.year_group_of("V885400118040", THIS_YEAR) == 11


def test_an_admission_after_the_export_date_or_an_export_from_the_future_is_refused():
    app = fresh_app()
    row = (
        "UPN,Legal Surname,Legal Forename,DOB,NC Year,Admission Date\n"
        "V885400118040,Adams,Amy,14/10/2002,11,01/06/2019\n"
    )
    report = import_pupils(app, SCHOOL_A, row.encode(), exported_on=date(2019, 5, 1))
    assert report.rejected[0]["reasons"] == {
        "enrolled_on": ["enrolled_on 2019-06-01 is after the export date 2019-05-01"]
    }
    with pytest.raises(Exception, match="exported_on"):
        import_pupils(app, SCHOOL_A, row.encode(), exported_on=date(2019, 7, 16))


def test_a_pupil_admitted_in_reception_is_on_roll_from_year_1():
    app = fresh_app()
    row = (
        "UPN,Surname,Forename,DOB,NC Year,Admission Date\n"
        "E885400118046,Green,Gwen,19/12/2006,7,01/09/2011\n"
    )
    assert import_pupils(app, SCHOOL_A, row.encode()).accepted == 1
    gwen = enrolled(app, "E885400118046")
    assert (gwen.enrolled_on, gwen.year_group) == (date(2012, 9, 1), 1)
    assert app.year_group_of("E885400118046", THIS_YEAR) == 7


def test_the_command_line_takes_the_export_date_and_reports_changes(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    register_hub_and_schools(Tracker.from_url(url))

    path = DATA / "sims-roll.csv"
    assert (
        main(["import-pupils", str(path), "--school", SCHOOL_A, "--exported-on", "2019-07-15"]) == 1
    )
    assert (
        capsys.readouterr().out.splitlines()[-1] == "7 enrolled, 0 changed, 0 unchanged, 1 refused"
    )
    with pytest.raises(SystemExit) as usage:
        main(["import-pupils", str(path), "--school", SCHOOL_A, "--exported-on", "15/07/2019"])
    assert usage.value.code == 2
    assert "'15/07/2019' is not a date (YYYY-MM-DD)" in capsys.readouterr().err


@st.composite
def rolls(draw) -> str:
    """A valid roll exported on TODAY: pupils of Years 7-11 admitted in any of their secondary
    years."""
    lines = ["UPN,Legal Surname,Legal Forename,DOB,NC Year,Admission Date,SEN,PP"]
    for upn in draw(st.lists(st.sampled_from(GOOD_UPNS), min_size=1, max_size=12, unique=True)):
        ncy = draw(st.integers(7, 11))
        born = draw(st.dates(date(2018 - ncy - 5, 9, 1), date(2018 - ncy - 4, 8, 31)))
        admitted = draw(st.dates(date(2018 - (ncy - 7), 9, 1), TODAY))
        flags = draw(st.sampled_from(["N,N", "K,Y", "E,No", "SEN Support,True", ",,"[:-1]]))
        lines.append(f"{upn},Smith,Ann,{born:%d/%m/%Y},{ncy},{admitted:%d/%m/%Y},{flags}")
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rolls())
def test_importing_any_valid_roll_twice_stores_nothing_the_second_time(roll):
    app = fresh_app()
    first = import_pupils(app, SCHOOL_A, roll.encode())
    assert first.rejected == [] and first.accepted == roll.count("\n") - 1
    head = app.recorder.max_notification_id()
    second = import_pupils(app, SCHOOL_A, roll.encode())
    assert (second.accepted, second.changed, second.unchanged) == (0, 0, first.accepted)
    assert app.recorder.max_notification_id() == head


def test_groups_and_flags_of_a_later_roll_are_recorded_once_each():
    app = fresh_app()
    import_pupils(app, SCHOOL_A, (DATA / "sims-roll.csv").read_bytes())
    cara = "Y885400118042"
    assert app.roll_details(cara, THIS_YEAR)["group"] == "10A"
    moved = import_pupils(app, SCHOOL_A, (DATA / "bromcom-roll.csv").read_bytes())
    assert (moved.changed, moved.unchanged) == (1, 2)  # Cara: year group, group and pupil premium
    assert app.roll_details(cara, THIS_YEAR) == {
        "school_urn": SCHOOL_A,
        "year_group": 9,
        "group": "9C",
        "sen": True,
        "pupil_premium": True,
    }
    kinds = [type(e).__name__ for e in app.events.get(Student.create_id(cara))]
    assert kinds[-3:] == ["YearGroupChanged", "GroupAssigned", "PupilPremiumChanged"]
    head = app.recorder.max_notification_id()
    assert import_pupils(app, SCHOOL_A, (DATA / "bromcom-roll.csv").read_bytes()).changed == 0
    assert app.recorder.max_notification_id() == head


def test_a_full_roll_shows_its_leavers_first_then_records_them_the_day_before_the_export():
    app = fresh_app()
    import_pupils(app, SCHOOL_A, (DATA / "sims-roll.csv").read_bytes())
    head = app.recorder.max_notification_id()
    preview = import_pupils(
        app, SCHOOL_A, (DATA / "bromcom-roll.csv").read_bytes(), full_roll=True, dry_run=True
    )
    gone = ["B885400118044", "J885400118041", "M885400118043", "Q885400118045"]  # in UPN order
    assert (preview.leavers, preview.left_on, preview.changed, preview.applied) == (
        gone,
        "2019-07-14",
        1,
        False,
    )
    assert app.recorder.max_notification_id() == head  # the preview stored nothing
    done = import_pupils(app, SCHOOL_A, (DATA / "bromcom-roll.csv").read_bytes(), full_roll=True)
    assert (done.leavers, done.applied) == (gone, True)
    assert all(app.current_school_of(upn) is None for upn in gone)
    assert app.on_roll(SCHOOL_A, TODAY) == ["E885400118046", "V885400118040", "Y885400118042"]
    again = import_pupils(app, SCHOOL_A, (DATA / "bromcom-roll.csv").read_bytes(), full_roll=True)
    assert (again.leavers, again.changed, again.unchanged) == ([], 0, 3)


def test_a_full_roll_with_a_refused_row_changes_nothing_unless_asked_to_apply_the_good_rows():
    app = fresh_app()
    import_pupils(app, SCHOOL_A, (DATA / "bromcom-roll.csv").read_bytes())
    head = app.recorder.max_notification_id()
    whole = (DATA / "sims-roll.csv").read_bytes()  # one row refused (31 February)
    refused = import_pupils(app, SCHOOL_A, whole, full_roll=True)
    assert (refused.applied, refused.accepted, refused.changed, len(refused.rejected)) == (
        False,
        4,
        1,
        1,
    )
    assert app.recorder.max_notification_id() == head
    applied = import_pupils(app, SCHOOL_A, whole, full_roll=True, apply_good_rows=True)
    assert (applied.applied, applied.leavers) == (True, [])
    assert len(app.on_roll(SCHOOL_A, TODAY)) == 7
