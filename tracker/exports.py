"""School status, hub metrics and a hub's employers as rows, written as CSV or XLSX for people
who live in spreadsheets."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from tracker.workbook import Sheet, write_workbook

YEAR_GROUP_FIGURES = ("pupils", "bm5_measured", "bm5_met", "bm6_by_16", "bm7_by_16", "bm8_by_16")
SCHOOLS, BY_YEAR_GROUP, HUB_VS_NATIONAL = "Schools", "Benchmarks by year group", "Hub vs national"
EMPLOYERS = "Employers"
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


YEAR_GROUP_HEADER = ["urn", "name", "as_of", "year_group", *YEAR_GROUP_FIGURES]


def year_group_rows(statuses: Iterable[Any], as_of: date) -> list[list[Any]]:
    """One row per year group of each school: BM5 measured and met, and BM6-8 met by 16."""
    return [
        [status.urn, status.name, as_of, row.year_group]
        + [_cell(row, key) for key in YEAR_GROUP_FIGURES]
        for status in statuses
        for row in status.by_year_group
    ]


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


EMPLOYER_HEADER = [
    "id",
    "name",
    "sector",
    "size",
    "encounters",
    "schools",
    "placements",
    "years_engaged",
    "repeat",
    "new_this_year",
]


def employer_rows(employers: Iterable[Any]) -> list[list[Any]]:
    """One row per employer engaged in the year: counts of encounters, schools and placements,
    never a pupil. A count of placements withheld from a hub (None) is written "low"."""
    return [
        [
            row.id,
            row.name,
            row.sector,
            row.size,
            row.encounters,
            row.schools,
            WITHHELD["low"] if row.placements is None else row.placements,
            " ".join(row.years_engaged),
            "yes" if row.repeat else "no",
            "yes" if row.new_this_year else "no",
        ]
        for row in employers
    ]


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


EXTENSIONS = (".csv", ".xlsx")


def refusal_for(path: Path) -> str | None:
    """Why an export cannot be written to `path`, before any figures are read; None if it can."""
    if path.suffix.lower() not in EXTENSIONS:
        return f"{path.name}: an export is written as .csv or .xlsx, by the file's extension"
    if not path.parent.is_dir():
        return f"{path.parent}: no such folder to write the export into"
    return None


def write(path: Path, header: list[str], rows: list[list[Any]], more: tuple = ()) -> None:
    """CSV or XLSX, chosen by the file's extension; names typed by schools are never run as
    formulas. An XLSX also holds the `more` sheets (workbook.Sheet) after the first."""
    if path.suffix.lower() == ".xlsx":
        write_workbook(path, [Sheet(_first_title(header), header, rows), *more])
        return
    with path.open("w", newline="", encoding="utf-8") as file:
        write_csv(file, header, rows)


def write_csv(file, header: list[str], rows: list[list[Any]]) -> None:
    writer = csv.writer(file)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)


def written(extension: str, header: list[str], rows: list[list[Any]], more: tuple = ()) -> bytes:
    """What `write` would put in a file `export.<extension>` ("csv" or "xlsx"), for a download."""
    if extension == "xlsx":
        data = io.BytesIO()
        write_workbook(data, [Sheet(_first_title(header), header, rows), *more])
        return data.getvalue()
    text = io.StringIO()
    write_csv(text, header, rows)
    return text.getvalue().encode("utf-8")


def _first_title(header: list[str]) -> str:
    if header == METRICS_HEADER:
        return HUB_VS_NATIONAL
    return EMPLOYERS if header == EMPLOYER_HEADER else SCHOOLS
