"""Pupils from CSV: our own columns or a school MIS export's, each row enrolled on its own."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterator

from tracker.calendar import check_in_calendar
from tracker.errors import AlreadyExists, InvalidValue, TrackerError

# Header spellings seen in MIS exports, mapped to our field names (compared lower-cased, trimmed).
HEADERS = {
    "upn": "upn", "unique pupil number": "upn",
    "given_name": "given_name", "forename": "given_name", "legal forename": "given_name", "first name": "given_name",
    "family_name": "family_name", "surname": "family_name", "legal surname": "family_name", "last name": "family_name",
    "date_of_birth": "date_of_birth", "dob": "date_of_birth", "date of birth": "date_of_birth",
    "year_group": "year_group", "year": "year_group", "nc year": "year_group", "ncy": "year_group",
    "year group": "year_group", "nc year actual": "year_group",
    "enrolled_on": "enrolled_on", "admission date": "enrolled_on", "date of admission": "enrolled_on",
    "sen": "sen", "sen status": "sen", "pupil_premium": "pupil_premium", "pp": "pupil_premium",
    "pupil premium": "pupil_premium",
}
REQUIRED = ("upn", "given_name", "family_name", "date_of_birth", "year_group")
TRUE = {"y", "yes", "true", "1", "t", "k", "e"}  # K/E: SEN support / EHC plan codes mean "has SEN"


@dataclass
class ImportReport:
    accepted: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    position: int = 0


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, as MIS exports come."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # five byte values mean nothing in Windows-1252 either
        raise InvalidValue("the file is neither UTF-8 nor Windows-1252 text", "file") from None


def rows(text: str) -> Iterator[tuple[int, dict[str, str] | InvalidValue]]:
    """(line number, {field: value}) for each data row, headers mapped to our names; or, for a
    row the CSV reader cannot read at all, (line number, the reason)."""
    reader = csv.reader(io.StringIO(text))
    header = _next_row(reader)
    if header is None:
        raise InvalidValue("the file is empty", "file")
    names = [HEADERS.get(h.strip().lower()) for h in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise InvalidValue(f"the header row lacks {', '.join(missing)}", "file")
    while (cells := _next_row(reader, reader.line_num + 1)) is not None:
        if isinstance(cells, InvalidValue):
            yield reader.line_num, cells
        elif any(cell.strip() for cell in cells):
            # A short row leaves its missing fields empty, so each is refused by name, not by a crash.
            values = {name: "" for name in names if name}
            values.update({n: c.strip() for n, c in zip(names, cells) if n})
            yield reader.line_num, values


def _next_row(reader, line: int = 1) -> list[str] | InvalidValue | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as problem:  # e.g. a cell over the reader's size limit
        if line == 1:
            raise InvalidValue(f"the header row cannot be read: {problem}", "file") from None
        return InvalidValue(f"the row cannot be read: {problem}", "row")


def parse_date(text: str, field_name: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return check_in_calendar(field_name, datetime.strptime(text, pattern).date())
        except ValueError:
            continue
    raise InvalidValue(f"{field_name} {text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)", field_name)


def parse_year_group(text: str) -> int:
    upper = text.upper().strip()
    digits = (upper.removeprefix("YEAR") if upper.startswith("YEAR") else upper.removeprefix("Y")).strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 2):
        raise InvalidValue(f"year_group {text!r} is not a year group", "year_group")
    return int(digits)


def command(row: dict[str, str], default_enrolled_on: date) -> dict[str, Any]:
    """The enrol_pupil arguments for one row; raises InvalidValue naming the bad field."""
    return {"upn": row["upn"], "given_name": row["given_name"], "family_name": row["family_name"],
            "date_of_birth": parse_date(row["date_of_birth"], "date_of_birth"),
            "year_group": parse_year_group(row["year_group"]),
            "enrolled_on": parse_date(row["enrolled_on"], "enrolled_on") if row.get("enrolled_on")
            else default_enrolled_on,
            "sen": row.get("sen", "").lower() in TRUE, "pupil_premium": row.get("pupil_premium", "").lower() in TRUE}


def import_pupils(app: Any, urn: str, data: bytes, caller: Any = None, enrol: Any = None) -> ImportReport:
    """Enrol every good row; report each refused row with its line and reasons. Re-importing changes nothing.

    `enrol` stands in for `app.enrol_pupil` where the caller limits enrolments (the API's, per token)."""
    report, seen, enrol = ImportReport(), set(), enrol or app.enrol_pupil
    for line, row in rows(decode(data)):
        if isinstance(row, InvalidValue):
            report.rejected.append({"line": line, "reasons": row.errors})
            continue
        try:
            arguments = command(row, app.today())
            if arguments["upn"].upper() in seen:
                raise InvalidValue(f"{arguments['upn']} appears earlier in the file", "upn")
            seen.add(arguments["upn"].upper())
            report.position = enrol(urn, caller=caller, **arguments).position
            report.accepted += 1
        except AlreadyExists as refused:
            if _already_here(app, urn, row["upn"]):
                report.unchanged += 1
            else:
                report.rejected.append({"line": line, "reasons": refused.errors})
        except TrackerError as refused:
            report.rejected.append({"line": line, "reasons": refused.errors})
    return report


def _already_here(app: Any, urn: str, upn: str) -> bool:
    return app.current_school_of(upn.strip().upper()) == urn
