"""Pupils from CSV: our own columns or a school MIS export's (SIMS, Arbor, Bromcom), each row on its own.

An MIS export describes the roll on the day it was made: `NC Year` is the pupil's year group in
that academic year, not at admission. Each row's year group is carried back to the admission date
before it is enrolled, so a Year 11 admitted in Year 7 three years ago is enrolled as a Year 7 then
and counted as a Year 11 now (docs/years.md)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterator

from tracker.calendar import AcademicYear, check_in_calendar, check_not_future, check_year_group
from tracker.errors import AlreadyExists, InvalidValue, TrackerError

# Header spellings seen in MIS exports, mapped to our field names (compared lower-cased, trimmed).
HEADERS = {
    "upn": "upn", "unique pupil number": "upn",
    "given_name": "given_name", "forename": "given_name", "legal forename": "given_name", "first name": "given_name",
    "family_name": "family_name", "surname": "family_name", "legal surname": "family_name", "last name": "family_name",
    "date_of_birth": "date_of_birth", "dob": "date_of_birth", "date of birth": "date_of_birth",
    "year_group": "year_group", "year": "year_group", "nc year": "year_group", "ncy": "year_group",
    "year group": "year_group", "nc year actual": "year_group",
    "legal first name": "given_name", "legal last name": "family_name",
    "enrolled_on": "enrolled_on", "admission date": "enrolled_on", "date of admission": "enrolled_on",
    "entry date": "enrolled_on",
    "sen": "sen", "sen status": "sen", "sen provision": "sen",
    "pupil_premium": "pupil_premium", "pp": "pupil_premium", "pupil premium": "pupil_premium",
    "pupil premium indicator": "pupil_premium", "pp indicator": "pupil_premium",
}
REQUIRED = ("upn", "given_name", "family_name", "date_of_birth", "year_group")
# SEN as the MIS systems write it: the census codes (N none, K SEN support, E EHC plan; S and A
# from before 2014) or words, and plain yes/no. A value outside these is refused by name: read as
# "no SEN" it would hide a pupil's needs from the figures by SEN.
SEN = {**dict.fromkeys(("", "n", "no", "none", "false", "0", "no special educational need",
                        "no special educational needs", "no sen"), False),
       **dict.fromkeys(("k", "e", "s", "a", "p", "y", "yes", "true", "1", "sen support", "ehc plan", "ehcp",
                        "education, health and care plan", "statement", "school action",
                        "school action plus"), True)}
PUPIL_PREMIUM = {**dict.fromkeys(("", "n", "no", "false", "0", "f"), False),
                 **dict.fromkeys(("y", "yes", "true", "1", "t"), True)}


@dataclass
class ImportReport:
    accepted: int = 0
    changed: int = 0  # already on roll here, with a different year group now
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


def parse_flag(text: str, meanings: dict[str, bool], field_name: str) -> bool:
    """A yes/no cell as an MIS writes it; anything else is refused rather than read as "no"."""
    value = meanings.get(" ".join(text.lower().split()))
    if value is None:
        raise InvalidValue(f"{field_name} {text!r} is not a value this column takes", field_name)
    return value


def command(row: dict[str, str], exported_on: date) -> dict[str, Any]:
    """The enrol_pupil arguments for one row of a roll exported on `exported_on`; raises InvalidValue
    naming the bad field."""
    now, born = AcademicYear.containing(exported_on), parse_date(row["date_of_birth"], "date_of_birth")
    year_group = check_year_group(parse_year_group(row["year_group"]))
    enrolled_on = parse_date(row["enrolled_on"], "enrolled_on") if row.get("enrolled_on") else exported_on
    if enrolled_on > exported_on:
        raise InvalidValue(f"enrolled_on {enrolled_on} is after the export date {exported_on}", "enrolled_on")
    at_admission = year_group - (now.start_year - AcademicYear.containing(enrolled_on).start_year)
    if at_admission < 1:
        # Admitted in Reception or nursery (an all-through school): year groups here start at 1 and
        # nothing the tracker counts happens earlier, so the stay is recorded from Year 1.
        enrolled_on, at_admission = date(now.start_year - year_group + 1, 9, 1), 1
    return {"upn": row["upn"], "given_name": row["given_name"], "family_name": row["family_name"],
            "date_of_birth": born, "year_group": at_admission, "enrolled_on": enrolled_on,
            "sen": parse_flag(row.get("sen", ""), SEN, "sen"),
            "pupil_premium": parse_flag(row.get("pupil_premium", ""), PUPIL_PREMIUM, "pupil_premium")}


def import_pupils(app: Any, urn: str, data: bytes, caller: Any = None,
                  exported_on: date | None = None) -> ImportReport:
    """Enrol every good row of a roll exported on `exported_on` (default today); record a new year
    group for pupils already on roll here; report each refused row with its line and reasons.
    Importing the same roll again stores nothing."""
    exported_on = exported_on or app.today()
    check_not_future("exported_on", exported_on, app.today())
    now, report, seen = AcademicYear.containing(exported_on), ImportReport(), set()
    for line, row in rows(decode(data)):
        if isinstance(row, InvalidValue):
            report.rejected.append({"line": line, "reasons": row.errors})
            continue
        try:
            arguments = command(row, exported_on)
            if arguments["upn"].upper() in seen:
                raise InvalidValue(f"{arguments['upn']} appears earlier in the file", "upn")
            seen.add(arguments["upn"].upper())
            report.position = app.enrol_pupil(urn, caller=caller, **arguments).position
            report.accepted += 1
        except AlreadyExists as refused:
            if not _already_here(app, urn, row["upn"]):
                report.rejected.append({"line": line, "reasons": refused.errors})
            elif (position := _year_group_moved(app, urn, row, now, caller)) is not None:
                report.position, report.changed = position, report.changed + 1
            else:
                report.unchanged += 1
        except TrackerError as refused:
            report.rejected.append({"line": line, "reasons": refused.errors})
    return report


def _already_here(app: Any, urn: str, upn: str) -> bool:
    return app.current_school_of(upn.strip().upper()) == urn


def _year_group_moved(app: Any, urn: str, row: dict[str, str], now: AcademicYear, caller: Any) -> int | None:
    """The position of a year-group change, where the roll puts a pupil in another year group now."""
    upn, wanted = row["upn"].strip().upper(), parse_year_group(row["year_group"])
    if app.year_group_of(upn, now) == wanted:
        return None
    return app.change_year_group(upn, wanted, str(now), within_school=urn, caller=caller).position
