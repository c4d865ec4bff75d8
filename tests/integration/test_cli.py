"""The tracker command, run in-process against a SQLite store: imports, exports, tokens, checks."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest

from cli import main
from tests.scenarios import ADMIN
from tracker.application import Tracker
from tracker.calendar import AcademicYear

# Born in January eleven years before this academic year began: Year 7 whenever the test runs.
BORN = date(AcademicYear.containing(date.today()).start_year - 11, 1, 15)
MESSY = (
    "\ufeffUPN,Legal Surname,Forename,DOB,NC Year,SEN,PP\r\n"
    f"X885400112099,Smith,Ann,{BORN:%d/%m/%Y},Y7,K,Y\r\n"
    f"X885400112099,Smith,Ann,{BORN:%d/%m/%Y},7,,\r\n"
    f"B885400112099,Bad,Check,{BORN:%d/%m/%Y},7,,\r\n"
    f"H885400112098,Müller,Zoë,31/02/{BORN.year},7,,\r\n"
    f"U885400112097,O'Brien,Seán,{BORN.isoformat()},Year 7,,\r\n"
)


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    app = Tracker.from_url(url)
    app.register_school("900001", "School A", "secondary", "885", "8854001", caller=ADMIN)
    app.register_hub("DEMO", "Demo", "Area", 1, caller=ADMIN)
    app.join_hub("DEMO", "900001", date(2018, 9, 1), caller=ADMIN)
    return tmp_path


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_importing_a_messy_mis_file_reports_each_refused_row_exactly_and_twice_changes_nothing(
    store, capsys, encoding
):
    path = store / "pupils.csv"
    text = MESSY if encoding == "utf-8" else MESSY.lstrip("\ufeff")
    path.write_bytes(text.encode(encoding))
    assert main(["import-pupils", str(path), "--school", "900001"]) == 1
    first = capsys.readouterr().out.splitlines()
    assert first == [
        "line 3: upn: X885400112099 appears earlier in the file",
        "line 4: upn: 'B885400112099' is not a valid UPN: check letter should be X",
        f"line 5: date_of_birth: date_of_birth '31/02/{BORN.year}' is not a date "
        "(YYYY-MM-DD or DD/MM/YYYY)",
        "2 enrolled, 0 changed, 0 unchanged, 3 refused",
    ]
    main(["import-pupils", str(path), "--school", "900001"])
    assert (
        capsys.readouterr().out.splitlines()[-1] == "0 enrolled, 0 changed, 2 unchanged, 3 refused"
    )


def test_export_writes_one_row_per_school_with_exact_counts_as_csv_and_xlsx(store, capsys):
    path = store / "pupils.csv"
    path.write_text(MESSY)
    main(["import-pupils", str(path), "--school", "900001"])
    main(
        [
            "export",
            str(store / "hub.csv"),
            "--hub",
            "DEMO",
            "--exact",
            "--as-of",
            date.today().isoformat(),
        ]
    )
    with (store / "hub.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [(r["urn"], r["bm5_measured"], r["bm5_met"]) for r in rows] == [("900001", "2", "0")]
    assert main(["export", str(store / "hub.xlsx"), "--hub", "DEMO", "--exact"]) == 0
    assert (store / "hub.xlsx").stat().st_size > 1000


def test_export_of_a_hubs_metrics_puts_national_and_non_hub_beside_each_figure(store, capsys):
    path = store / "pupils.csv"
    path.write_text(MESSY)
    main(["import-pupils", str(path), "--school", "900001"])
    as_of = date.today().isoformat()
    assert (
        main(
            [
                "export",
                str(store / "metrics.csv"),
                "--hub",
                "DEMO",
                "--metrics",
                "--exact",
                "--as-of",
                as_of,
            ]
        )
        == 0
    )
    with (store / "metrics.csv").open() as file:
        rows = {row["figure"]: row for row in csv.DictReader(file)}
    assert (
        len(rows) == 3 + 3 * 8 - 2 * 4
    )  # headlines; % achieving for 8 benchmarks; coverages for BM5-8
    assert rows["pupil_coverage_bm5"] == {
        "figure": "pupil_coverage_bm5",
        "as_of": as_of,
        "hub": "0.0",
        "national": "0.0",
        "non_hub": "",
    }
    assert main(["export", str(store / "none.csv"), "--hub", "NOPE", "--metrics"]) == 2


def test_the_hub_export_withholds_small_counts_unless_asked_for_exact_ones(
    store, capsys, monkeypatch
):
    path = store / "pupils.csv"
    path.write_text(MESSY)
    main(["import-pupils", str(path), "--school", "900001"])  # two pupils: a low count
    as_of = date.today().isoformat()
    assert main(["export", str(store / "hub.csv"), "--hub", "DEMO", "--as-of", as_of]) == 0
    assert "withheld" in capsys.readouterr().out
    with (store / "hub.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [
        (r["bm5_measured"], r["bm5_met"], r["bm5_coverage"], r["bm5_achieved"]) for r in rows
    ] == [("low", "0", "low", "False")]
    assert (
        main(["export", str(store / "metrics.csv"), "--hub", "DEMO", "--metrics", "--as-of", as_of])
        == 0
    )
    with (store / "metrics.csv").open() as file:
        figures = {row["figure"]: row for row in csv.DictReader(file)}
    assert (figures["pupil_coverage_bm5"]["hub"], figures["pupil_coverage_bm5"]["national"]) == (
        "low",
        "low",
    )
    assert (
        figures["pct_schools_achieving_bm5"]["hub"] == "0.0"
    )  # a share of schools: never withheld
    monkeypatch.setenv("SMALL_NUMBER_THRESHOLD", "2")
    main(["export", str(store / "hub.csv"), "--hub", "DEMO", "--as-of", as_of])
    with (store / "hub.csv").open() as file:
        assert next(csv.DictReader(file))["bm5_measured"] == "2"
    assert main(["export", str(store / "none.csv"), "--hub", "NOPE"]) == 2


def test_tokens_are_created_listed_and_revoked_and_verify_agrees(store, capsys):
    main(["token", "create", "--scope", "hub:DEMO", "--subject", "lead@example"])
    created = json.loads(capsys.readouterr().out)
    main(["token", "list"])
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(t["scope"], t["revoked_at"]) for t in listed] == [("hub:DEMO", None)]
    assert created["token"] not in json.dumps(listed)
    main(["token", "revoke", created["id"], "--reason", "left"])
    assert (
        Tracker.from_url(f"sqlite:///{store / 'cli.sqlite3'}").token_for(created["token"]) is None
    )
    capsys.readouterr()
    assert main(["verify"]) == 0
    assert "views agree with the log" in capsys.readouterr().out


def test_an_unknown_school_is_a_clear_error_with_a_non_zero_exit(store, capsys):
    assert main(["token", "create", "--scope", "school:12", "--subject", "x"]) == 2
    assert "error:" in capsys.readouterr().err


def test_a_short_row_is_refused_naming_what_is_missing(store, capsys):
    path = store / "short.csv"
    path.write_text("upn,given_name,family_name,date_of_birth,year_group\nX885400112099,Ann\n")
    assert main(["import-pupils", str(path), "--school", "900001"]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith("line 2: date_of_birth:")


def test_verify_while_the_views_are_held_by_another_rebuild_or_verify_says_so_and_exits_2(
    store, capsys
):
    from projections.store import view_store_for

    assert main(["verify"]) == 0
    capsys.readouterr()
    with view_store_for(f"sqlite:///{store / 'cli.sqlite3'}").maintaining(wait=False) as held:
        assert held
        assert main(["verify"]) == 2
    assert "already running" in capsys.readouterr().err
    assert main(["verify"]) == 0


def test_a_token_created_with_an_expiry_lists_it_and_an_expiry_in_the_past_is_refused(
    store, capsys
):
    from datetime import timedelta

    main(
        [
            "token",
            "create",
            "--scope",
            "auditor",
            "--subject",
            "inspector@example",
            "--expires",
            "2099-01-31",
        ]
    )
    dated = json.loads(capsys.readouterr().out)
    main(
        [
            "token",
            "create",
            "--scope",
            "auditor",
            "--subject",
            "visitor@example",
            "--expires",
            "30d",
        ]
    )
    counted = json.loads(capsys.readouterr().out)
    assert dated["expires_on"] == "2099-01-31"
    assert counted["expires_on"] == (date.today() + timedelta(days=30)).isoformat()
    main(["token", "list"])
    listed = {
        t["subject"]: t["expires_on"] for t in map(json.loads, capsys.readouterr().out.splitlines())
    }
    assert listed == {"inspector@example": "2099-01-31", "visitor@example": counted["expires_on"]}
    assert (
        main(["token", "create", "--scope", "auditor", "--subject", "x", "--expires", "2001-01-01"])
        == 2
    )
    assert (
        main(["token", "create", "--scope", "auditor", "--subject", "x", "--expires", "soon"]) == 2
    )
    assert capsys.readouterr().err.count("error: expires must be") == 2


def test_verify_known_at_compares_the_views_with_the_replay_and_finds_a_tampered_version(
    store, capsys
):
    import time
    from datetime import datetime, timezone

    from projections.store import view_store_for

    url = f"sqlite:///{store / 'cli.sqlite3'}"
    path = store / "pupils.csv"
    path.write_text(MESSY)
    main(["import-pupils", str(path), "--school", "900001"])
    app = Tracker.from_url(url)
    talk = app.record_activity(
        "900001",
        "employer_talk",
        "Talk",
        date.today(),
        ["X885400112099", "U885400112097"],
        employer={"name": "Acme"},
        meaningful=True,
        criteria={"purpose_shared": True, "outcomes": True, "two_way": True, "reflection": True},
        caller=ADMIN,
    )
    time.sleep(0.01)
    moment = datetime.now(timezone.utc).isoformat()
    time.sleep(0.01)
    app.retract_activity(talk.id, "wrong school", caller=ADMIN)
    capsys.readouterr()
    assert main(["verify", "--known-at", moment]) == 0
    assert "the views agree with the replay" in capsys.readouterr().out
    # The activity's version the retraction ended, lost from the views' history: the employer
    # figures as known then lose the talk, the benchmark figures (from the milestones) do not.
    views = view_store_for(url)
    with views.transaction() as cursor:
        views.execute(cursor, "DELETE FROM {activities_history}")
    assert main(["verify", "--known-at", moment]) == 1
    out = capsys.readouterr().out
    assert "school 900001: employer figures differ" in out and "benchmark" not in out
    # The milestones' version lost too: the figures differ as well.
    with views.transaction() as cursor:
        views.execute(cursor, "DELETE FROM {milestones_history}")
    assert main(["verify", "--known-at", moment]) == 1
    assert "school 900001: benchmark figures, employer figures differ" in capsys.readouterr().out
