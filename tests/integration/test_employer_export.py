"""`tracker export-employers`, run in-process against a SQLite store holding the worked example."""

from __future__ import annotations

import csv

import pytest

from cli import main
from tests.conftest import TODAY
from tests.scenarios import build_worked_example
from tracker.application import Tracker


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    build_worked_example(Tracker.from_url(url, today=lambda: TODAY))
    return tmp_path


def test_the_hubs_employers_are_written_one_a_row_with_counts_and_no_pupils(store, capsys):
    output = store / "employers.csv"
    assert main(["export-employers", str(output), "--hub", "DEMO", "--year", "2018/19"]) == 0
    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert [
        (r["name"], r["sector"], r["encounters"], r["schools"], r["placements"]) for r in rows
    ] == [("Acme Engineering", "C", "8", "2", "2")]
    assert (rows[0]["repeat"], rows[0]["new_this_year"]) == ("yes", "yes")
    assert "wrote 1 employers" in capsys.readouterr().out


def test_an_employer_export_for_a_hub_with_no_schools_says_so(store, capsys):
    assert (
        main(["export-employers", str(store / "x.csv"), "--hub", "NOPE", "--year", "2018/19"]) == 2
    )
    assert "no member schools" in capsys.readouterr().err
