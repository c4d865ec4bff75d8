"""School status and hub metrics as rows, written as CSV or XLSX for people who live in spreadsheets."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any, Iterable

HEADER = ["urn", "name", "type", "as_of", "benchmarks_achieved"] + [
    f"bm{b}_{what}" for b in range(1, 9) for what in ("measured", "met", "coverage", "score", "achieved")]


def school_rows(rows: Iterable[dict[str, Any]], as_of: date) -> list[list[Any]]:
    """One row per school: every benchmark's exact counts, coverage, score and whether achieved."""
    table = []
    for row in rows:
        cells = [row["urn"], row["name"], row["type"], as_of.isoformat(), row["benchmarks_achieved"]]
        for b in row["benchmarks"]:
            cells += [b["measured"], b["met"], b["coverage"], b["score"], b["achieved"]]
        table.append(cells)
    return table


def write(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """CSV or XLSX, chosen by the file's extension."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(path)
        return
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
