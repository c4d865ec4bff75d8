"""Two rollovers in a row at an 11-16, an 11-18 and a middle school, on every store: who is counted
on 31 August and on 1 September, the leaving events, a second run storing nothing, figures right
before the command runs; and a sixth form opening from a later year."""

from __future__ import annotations

from datetime import date

import pytest

from projections.metrics import school_figures, year_group_figures
from projections.runner import Runner
from projections.store import view_store_for
from tests.scenarios import ADMIN
from tracker.application import Tracker
from tracker.domain.student import Student
from tracker.errors import InvalidValue
from tracker.identifiers import make_upn

ELEVEN_SIXTEEN, ELEVEN_EIGHTEEN, MIDDLE = "910001", "910002", "910003"
# (school, year group in 2018/19) of each pupil; all enrolled on 3 September 2018.
PUPILS = {ELEVEN_SIXTEEN: (10, 11), ELEVEN_EIGHTEEN: (11, 13), MIDDLE: (7, 8)}


class Clock:
    def __init__(self, today: date):
        self.today = today

    def __call__(self) -> date:
        return self.today


def upn(urn: str, year_group: int) -> str:
    return make_upn("885", urn[-4:], 18, year_group)


@pytest.fixture
def years(database_url):
    clock = Clock(date(2019, 7, 15))
    app = Tracker.from_url(database_url, today=clock)
    app.register_school(
        ELEVEN_SIXTEEN, "Eleven to sixteen", "secondary", "885", "8859001", caller=ADMIN
    )
    app.register_school(
        ELEVEN_EIGHTEEN,
        "Eleven to eighteen",
        "secondary",
        "885",
        "8859002",
        last_year_group=13,
        caller=ADMIN,
    )
    app.register_school(MIDDLE, "A middle school", "middle", "885", "8859003", caller=ADMIN)
    for urn, groups in PUPILS.items():
        for group in groups:
            app.enrol_pupil(
                urn,
                upn(urn, group),
                "Pat",
                "Pupil",
                date(2018 - group - 4, 1, 15),
                group,
                date(2018, 9, 3),
                caller=ADMIN,
            )
    store = view_store_for(database_url)
    store.create_tables()
    yield app, store, clock
    store.close()


def on_roll_by_year_group(app, store, urn: str, day: date) -> dict[int, int]:
    Runner(app, store).catch_up()
    return {row["year_group"]: row["pupils"] for row in year_group_figures(store, day, urn)}


def left_on(app, pupil: str) -> list[date]:
    return [
        e.left_on for e in app.events.get(Student.create_id(pupil)) if type(e).__name__ == "Left"
    ]


def test_two_rollovers_in_a_row_at_three_kinds_of_school(years):
    app, store, clock = years
    before = {urn: on_roll_by_year_group(app, store, urn, date(2019, 8, 31)) for urn in PUPILS}
    assert before == {
        ELEVEN_SIXTEEN: {10: 1, 11: 1},
        ELEVEN_EIGHTEEN: {11: 1, 13: 1},
        MIDDLE: {7: 1, 8: 1},
    }
    # On 1 September the leavers are out of every figure before anyone runs the rollover.
    first_day = {urn: on_roll_by_year_group(app, store, urn, date(2019, 9, 1)) for urn in PUPILS}
    assert first_day == {ELEVEN_SIXTEEN: {11: 1}, ELEVEN_EIGHTEEN: {12: 1}, MIDDLE: {8: 1}}

    clock.today = date(2019, 9, 2)
    leavers = {urn: app.rollover_leavers(urn, "2019/20").leavers for urn in PUPILS}
    assert leavers == {
        ELEVEN_SIXTEEN: [upn(ELEVEN_SIXTEEN, 11)],
        ELEVEN_EIGHTEEN: [upn(ELEVEN_EIGHTEEN, 13)],
        MIDDLE: [upn(MIDDLE, 8)],
    }
    for urn in PUPILS:
        assert app.roll_over(urn, "2019/20", caller=ADMIN).id == leavers[urn][0]
    assert {pupil[0]: left_on(app, pupil[0]) for pupil in leavers.values()} == {
        pupil[0]: [date(2019, 8, 31)] for pupil in leavers.values()
    }
    head = app.recorder.max_notification_id()
    assert [app.roll_over(urn, "2019/20", caller=ADMIN).id for urn in PUPILS] == ["", "", ""]
    assert app.recorder.max_notification_id() == head
    after = {urn: on_roll_by_year_group(app, store, urn, date(2019, 9, 1)) for urn in PUPILS}
    assert after == first_day

    clock.today = date(2020, 9, 2)
    for urn in PUPILS:
        app.roll_over(urn, "2020/21", caller=ADMIN)
    assert left_on(app, upn(ELEVEN_SIXTEEN, 10)) == [date(2020, 8, 31)]
    assert left_on(app, upn(MIDDLE, 7)) == [date(2020, 8, 31)]
    assert left_on(app, upn(ELEVEN_EIGHTEEN, 11)) == []
    assert {urn: on_roll_by_year_group(app, store, urn, date(2020, 9, 1)) for urn in PUPILS} == {
        ELEVEN_SIXTEEN: {},
        ELEVEN_EIGHTEEN: {13: 1},
        MIDDLE: {},
    }


def test_figures_years_ahead_never_show_year_groups_the_school_does_not_teach(years):
    app, store, _clock = years
    Runner(app, store).catch_up()
    figures = school_figures(store, date(2022, 9, 15), [ELEVEN_SIXTEEN, ELEVEN_EIGHTEEN, MIDDLE])
    assert {urn: figures[urn].benchmarks[5].measured for urn in figures} == {
        ELEVEN_SIXTEEN: 0,
        ELEVEN_EIGHTEEN: 0,
        MIDDLE: 0,
    }
    assert year_group_figures(store, date(2030, 9, 15), ELEVEN_EIGHTEEN) == []


def test_a_sixth_form_opening_keeps_year_11_on_roll_into_year_12(years):
    app, store, clock = years
    app.set_year_groups(ELEVEN_SIXTEEN, 7, 13, "2019/20", caller=ADMIN)
    assert on_roll_by_year_group(app, store, ELEVEN_SIXTEEN, date(2019, 9, 1)) == {11: 1, 12: 1}
    assert on_roll_by_year_group(app, store, ELEVEN_SIXTEEN, date(2019, 8, 31)) == {10: 1, 11: 1}
    clock.today = date(2019, 9, 2)
    assert app.rollover_leavers(ELEVEN_SIXTEEN, "2019/20").leavers == []
    head = app.recorder.max_notification_id()
    app.set_year_groups(
        ELEVEN_SIXTEEN, 7, 13, "2019/20", caller=ADMIN
    )  # the same again: nothing new
    assert app.recorder.max_notification_id() == head


def test_a_rollover_more_than_a_year_ahead_or_a_range_backwards_is_refused(years):
    app, _store, _clock = years
    with pytest.raises(InvalidValue, match="more than a year away"):
        app.roll_over(ELEVEN_SIXTEEN, "2020/21", caller=ADMIN)
    with pytest.raises(InvalidValue, match="first_year_group 12 is after last_year_group 11"):
        app.set_year_groups(ELEVEN_SIXTEEN, 12, 11, caller=ADMIN)


def test_a_leaving_on_31_august_can_be_recorded_in_july(years):
    app, _store, _clock = years
    pupil = upn(ELEVEN_SIXTEEN, 11)
    app.record_leaving(ELEVEN_SIXTEEN, pupil, date(2019, 8, 31), caller=ADMIN)
    assert left_on(app, pupil) == [date(2019, 8, 31)]
    with pytest.raises(InvalidValue, match="after the end of this academic year"):
        app.record_leaving(ELEVEN_SIXTEEN, upn(ELEVEN_SIXTEEN, 10), date(2019, 9, 1), caller=ADMIN)


def test_the_rollover_command_lists_then_records_then_finds_nobody(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'years.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    app = Tracker.from_url(url, today=lambda: date(2019, 7, 15))
    app.register_school(
        ELEVEN_SIXTEEN, "Eleven to sixteen", "secondary", "885", "8859001", caller=ADMIN
    )
    for group in (10, 11):
        app.enrol_pupil(
            ELEVEN_SIXTEEN,
            upn(ELEVEN_SIXTEEN, group),
            "Pat",
            "Pupil",
            date(2018 - group - 4, 1, 15),
            group,
            date(2018, 9, 3),
            caller=ADMIN,
        )
    from cli import main

    assert main(["rollover", "--year", "2019/20", "--dry-run"]) == 0
    assert (
        capsys.readouterr().out
        == f"{ELEVEN_SIXTEEN}: 1 would leave on 2019-08-31: {upn(ELEVEN_SIXTEEN, 11)}\n"
    )
    head = app.recorder.max_notification_id()
    assert main(["rollover", "--year", "2019/20", "--dry-run"]) == 0
    assert Tracker.from_url(url).recorder.max_notification_id() == head
    assert main(["rollover", "--year", "2019/20", "--school", ELEVEN_SIXTEEN]) == 0
    assert main(["rollover", "--year", "2019/20"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        f"{ELEVEN_SIXTEEN}: 1 left on 2019-08-31",
        f"{ELEVEN_SIXTEEN}: 0 left on 2019-08-31",
    ]
    assert main(["rollover", "--year", "2019-20"]) == 2
    assert "2019-20" in capsys.readouterr().err


# docs/years.md, "A worked example across two years": the table, exactly.
# as of, rollover recorded by then?, {year group: pupils}, (BM5 measured, met), (BM6 measured, met)
TWO_YEARS = [
    (date(2019, 7, 31), False, {10: 1, 11: 1}, (2, 2), (1, 1)),
    (date(2019, 9, 15), False, {7: 1, 11: 1}, (2, 0), (1, 0)),
    (date(2019, 9, 15), True, {7: 1, 11: 1}, (2, 0), (1, 0)),
    (date(2020, 3, 31), True, {7: 1, 11: 1}, (2, 2), (1, 1)),
    (date(2020, 9, 15), False, {8: 1}, (1, 0), (0, 0)),
]


def test_the_two_year_worked_example_of_docs_years_md(database_url):
    clock = Clock(date(2019, 7, 31))
    app = Tracker.from_url(database_url, today=clock)
    store = view_store_for(database_url)
    store.create_tables()
    app.register_school(
        ELEVEN_SIXTEEN, "Eleven to sixteen", "secondary", "885", "8859001", caller=ADMIN
    )
    a, b, c = upn(ELEVEN_SIXTEEN, 1), upn(ELEVEN_SIXTEEN, 2), upn(ELEVEN_SIXTEEN, 3)
    app.enrol_pupil(
        ELEVEN_SIXTEEN, a, "Asha", "Pupil", date(2004, 1, 15), 10, date(2018, 9, 3), caller=ADMIN
    )
    app.enrol_pupil(
        ELEVEN_SIXTEEN, b, "Ben", "Pupil", date(2003, 1, 15), 11, date(2018, 9, 3), caller=ADMIN
    )
    employer = {"name": "Acme", "size": "large"}

    def activity(kind: str, on: date, who: list[str]) -> None:
        clock.today = max(clock.today, on)
        app.record_activity(
            ELEVEN_SIXTEEN,
            kind,
            kind,
            on,
            who,
            employer=employer,
            meaningful=True if kind != "workplace_visit" else None,
            caller=ADMIN,
        )

    activity("careers_fair", date(2018, 11, 15), [a, b])
    activity("workplace_visit", date(2019, 6, 10), [b])
    seen = []
    for as_of, rolled, *_ in TWO_YEARS:
        clock.today = max(clock.today, as_of)
        if as_of == date(2019, 9, 15) and not rolled:
            app.enrol_pupil(
                ELEVEN_SIXTEEN,
                c,
                "Cal",
                "Pupil",
                date(2008, 1, 15),
                7,
                date(2019, 9, 2),
                caller=ADMIN,
            )
        if rolled and as_of == date(2019, 9, 15):
            app.roll_over(ELEVEN_SIXTEEN, "2019/20", caller=ADMIN)
        if as_of == date(2020, 3, 31):
            activity("employer_talk", date(2019, 10, 10), [a, c])
            activity("workplace_visit", date(2020, 2, 3), [a])
        Runner(app, store).catch_up()
        figures = school_figures(store, as_of, [ELEVEN_SIXTEEN])[ELEVEN_SIXTEEN].benchmarks
        seen.append(
            (
                as_of,
                rolled,
                {
                    row["year_group"]: row["pupils"]
                    for row in year_group_figures(store, as_of, ELEVEN_SIXTEEN)
                },
                (figures[5].measured, figures[5].met),
                (figures[6].measured, figures[6].met),
            )
        )
    assert seen == TWO_YEARS
    assert left_on(app, b) == [date(2019, 8, 31)]
    store.close()
