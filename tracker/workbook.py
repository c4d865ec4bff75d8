"""An XLSX workbook of named sheets, each with a styled, frozen header, real dates and numbers, and
columns wide enough to read; text a spreadsheet would run as a formula stays text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

HEADER_FILL, HEADER_TEXT = "10384F", "FFFFFF"  # the dashboard's header colours
NARROWEST, WIDEST = 8, 45  # characters: a column fits its longest value within these
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Sheet:
    title: str  # at most 31 characters: Excel's limit
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def write_workbook(target: str | IO[bytes], sheets: list[Sheet]) -> None:
    """The sheets in order, the first one open: `target` is a path or a binary file."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        _fill(book.create_sheet(sheet.title), sheet)
    book.save(target)


def _fill(worksheet, sheet: Sheet) -> None:
    from tracker.exports import cell_text

    for row in [sheet.header, *sheet.rows]:
        worksheet.append([cell_text(v) if isinstance(v, str) else v for v in row])
        for cell in worksheet[worksheet.max_row]:
            _keep_as_typed(cell)
    _style_header(worksheet)
    _size_columns(worksheet, sheet)


def _keep_as_typed(cell) -> None:
    from tracker.exports import looks_like_formula

    if isinstance(cell.value, str):
        cell.data_type = (
            "s"  # a string, whatever it starts with: openpyxl takes "=..." for a formula
        )
        # Excel's own mark of a typed leading quote: the text stays text even when edited.
        cell.quotePrefix = looks_like_formula(cell.value)
    elif isinstance(cell.value, date):
        cell.number_format = DATE_FORMAT


def _style_header(worksheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for cell in worksheet[1]:
        cell.font = Font(bold=True, color=HEADER_TEXT)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center")
    worksheet.freeze_panes = "A2"  # the header stays in view as the rows scroll
    if worksheet.max_row > 1:
        worksheet.auto_filter.ref = worksheet.dimensions


def _size_columns(worksheet, sheet: Sheet) -> None:
    from openpyxl.utils import get_column_letter

    for index, name in enumerate(sheet.header):
        longest = max([len(name), *(len(_shown(row[index])) for row in sheet.rows)])
        width = min(max(longest + 2, NARROWEST), WIDEST)
        worksheet.column_dimensions[get_column_letter(index + 1)].width = width


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return DATE_FORMAT
    return "" if value is None else str(value)
