"""`tracker export`: what it refuses, with a message and exit status 2 and nothing written, and the
workbook it writes (named sheets, real dates and numbers, a styled frozen header)."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from cli import main
from tests.scenarios import build_worked_example
from tracker.application import Tracker

AS_OF = "2019-03-31"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'exports.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    build_worked_example(Tracker.from_url(url))
    return tmp_path


def refused(capsys, *argv: str) -> str:
    """The command's exit status is 2, and it says why in one line (no traceback)."""
    assert main(["export", *argv]) == 2
    said = capsys.readouterr().err
    assert "Traceback" not in said and said.strip()
    return said


def test_an_unknown_hub_is_refused_for_school_rows_exact_rows_and_metrics(folder, capsys):
    for more in ([], ["--exact"], ["--metrics"]):
        output = folder / "hub.csv"
        assert "no hub 'NOPE'" in refused(capsys, str(output), "--hub", "NOPE", *more)
        assert not output.exists()


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(folder, capsys):
    assert ".csv or .xlsx" in refused(capsys, str(folder / "figures.pdf"), "--hub", "DEMO")
    assert not (folder / "figures.pdf").exists()


def test_a_folder_that_is_not_there_is_refused(folder, capsys):
    said = refused(capsys, str(folder / "missing" / "hub.csv"))
    assert "no such folder" in said


def test_a_date_that_is_not_one_is_refused_as_usage(folder, capsys):
    for bad in ("31/03/2019", "2019-02-30", "0001-01-01"):
        with pytest.raises(SystemExit) as exit:
            main(["export", str(folder / "hub.csv"), "--as-of", bad])
        assert exit.value.code == 2 and "--as-of" in capsys.readouterr().err


def test_metrics_without_a_hub_is_refused(folder, capsys):
    assert "--hub" in refused(capsys, str(folder / "metrics.csv"), "--metrics")


def test_the_workbook_has_named_sheets_real_dates_and_numbers_and_a_frozen_styled_header(folder):
    output = folder / "hub.xlsx"
    assert main(["export", str(output), "--hub", "DEMO", "--exact", "--as-of", AS_OF]) == 0
    book = load_workbook(output)
    assert book.sheetnames == ["Schools", "Benchmarks by year group", "Hub vs national"]
    schools = book["Schools"]
    header = [cell.value for cell in schools[1]]
    first = dict(zip(header, (cell.value for cell in schools[2]), strict=True))
    assert first["as_of"].date() == date(2019, 3, 31) and schools["D2"].is_date
    assert isinstance(first["bm5_measured"], int) and first["bm5_coverage"] == 100.0
    for sheet in book:
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold, sheet.title
        assert all(sheet.column_dimensions[c].width >= 8 for c in ("A", "B")), sheet.title
    year_groups = book["Benchmarks by year group"]
    assert [c.value for c in year_groups[1]][:4] == ["urn", "name", "as_of", "year_group"]
    assert year_groups.max_row > 2
    figures = {row[0].value: row for row in book["Hub vs national"].iter_rows(min_row=2)}
    assert figures["every_student_employer_encounters"][2].value == 100.0


def test_a_csv_export_stays_one_table_of_school_rows(folder):
    output = folder / "hub.csv"
    assert main(["export", str(output), "--hub", "DEMO", "--as-of", AS_OF]) == 0
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("urn,name,type,as_of") and len(lines) == 3
