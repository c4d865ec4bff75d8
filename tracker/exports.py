"""School status and hub metrics as rows, written as CSV or XLSX for people who live in
spreadsheets."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any, Iterable

HEADER = ["urn", "name", "type", "as_of", "benchmarks_achieved"] + [
    f"bm{b}_{what}"
    for b in range(1, 9)
    for what in ("measured", "met", "coverage", "score", "achieved")
]


# A figure withheld from a hub's copy (projections/small_numbers.py), written as the DfE's
# tables write it.
WITHHELD = {"low": "low", "secondary": "c"}


def _cell(figure: Any, key: str) -> Any:
    why = (figure.suppressed or {}).get(key)
    return WITHHELD[why] if why else getattr(figure, key)


def school_rows(rows: Iterable[Any], as_of: date) -> list[list[Any]]:
    """One row per school: every benchmark's counts (exact, or as a hub may see them), coverage,
    score and whether achieved."""
    table = []
    for row in rows:
        cells = [
            row.urn,
            row.name,
            row.type,
            as_of,
            row.benchmarks_achieved,
        ]
        for b in row.benchmarks:
            cells += [
                _cell(b, "measured"),
                _cell(b, "met"),
                _cell(b, "coverage"),
                b.score,
                b.achieved,
            ]
        table.append(cells)
    return table


METRICS_HEADER = ["figure", "as_of", "hub", "national", "non_hub"]
HEADLINES = (
    "every_student_employer_encounters",
    "every_student_workplace_experience",
    "mean_benchmarks_achieved",
)
BY_BENCHMARK = ("pct_schools_achieving", "pupil_coverage", "mean_coverage")


def metric_rows(metrics: Any) -> list[list[Any]]:
    """A hub's figures, one per row, with the national and non-hub figures beside each."""
    as_of, summaries = metrics.as_of, (metrics, metrics.national, metrics.non_hub)
    rows = [[name, as_of, *(getattr(s, name) for s in summaries)] for name in HEADLINES]
    for name in BY_BENCHMARK:
        for benchmark in sorted(getattr(metrics, name), key=int):
            rows.append(
                [
                    f"{name}_bm{benchmark}",
                    as_of,
                    *(_by_benchmark(summary, name, benchmark) for summary in summaries),
                ]
            )
    return rows


def _by_benchmark(summary: Any, name: str, benchmark: str) -> Any:
    why = (summary.suppressed or {}).get(f"{name}.{benchmark}")
    return WITHHELD[why] if why else getattr(summary, name)[benchmark]


# A spreadsheet takes a cell starting with one of these as a formula (OWASP's CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 cannot hold (an XLSX is XML: one U+FFFE makes the file unreadable), and lone
# surrogates, which no UTF-8 file can hold either.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cell_text(value: str) -> str:
    """Text without the characters a spreadsheet file cannot hold."""
    return _NOT_XML.sub("", value)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading single quote (OWASP's rule for CSV);
    numbers, negative ones included, stay numbers."""
    if not isinstance(value, str):
        return value
    text = cell_text(value)
    return "'" + text if looks_like_formula(text) else text


def write(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """CSV or XLSX, chosen by the file's extension; names typed by schools are never run as
    formulas."""
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(path, header, rows)
        return
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows([csv_cell(value) for value in row] for row in rows)


def _write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append([cell_text(value) if isinstance(value, str) else value for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = (
                    "s"  # a string, whatever it starts with: openpyxl takes "=..." for a formula
                )
                # Excel's own mark of a typed leading quote: the text stays text even when the
                # cell is edited.
                cell.quotePrefix = looks_like_formula(cell.value)
    book.save(path)
