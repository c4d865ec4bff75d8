"""Pupils from CSV: our own columns or a school MIS export's (SIMS, Arbor, Bromcom), each row on its
own.

An MIS export describes the roll on the day it was made: `NC Year` is the pupil's year group in
that academic year, not at admission. Each row's year group is carried back to the admission date
before it is enrolled, so a Year 11 admitted in Year 7 three years ago is enrolled as a Year 7 then
and counted as a Year 11 now (docs/years.md)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterator

from tracker.calendar import AcademicYear, check_in_calendar, check_not_future, check_year_group
from tracker.errors import InvalidValue, TrackerError
from tracker.identifiers import is_digits
from tracker.validation import check_text

# Header spellings seen in MIS exports, mapped to our field names (compared lower-cased, trimmed).
HEADERS = {
    "upn": "upn",
    "unique pupil number": "upn",
    "given_name": "given_name",
    "forename": "given_name",
    "legal forename": "given_name",
    "first name": "given_name",
    "family_name": "family_name",
    "surname": "family_name",
    "legal surname": "family_name",
    "last name": "family_name",
    "date_of_birth": "date_of_birth",
    "dob": "date_of_birth",
    "date of birth": "date_of_birth",
    "year_group": "year_group",
    "year": "year_group",
    "nc year": "year_group",
    "ncy": "year_group",
    "year group": "year_group",
    "nc year actual": "year_group",
    "legal first name": "given_name",
    "legal last name": "family_name",
    "enrolled_on": "enrolled_on",
    "admission date": "enrolled_on",
    "date of admission": "enrolled_on",
    "entry date": "enrolled_on",
    "sen": "sen",
    "sen status": "sen",
    "sen provision": "sen",
    "pupil_premium": "pupil_premium",
    "pp": "pupil_premium",
    "pupil premium": "pupil_premium",
    "pupil premium indicator": "pupil_premium",
    "pp indicator": "pupil_premium",
    "group": "group",
    "reg group": "group",
    "registration group": "group",
    "form": "group",
    "registration form": "group",
    "tutor group": "group",
}
REQUIRED = ("upn", "given_name", "family_name", "date_of_birth", "year_group")
# SEN as the MIS systems write it: the census codes (N none, K SEN support, E EHC plan; S and A
# from before 2014) or words, and plain yes/no. A value outside these is refused by name: read as
# "no SEN" it would hide a pupil's needs from the figures by SEN.
SEN = {
    **dict.fromkeys(
        (
            "",
            "n",
            "no",
            "none",
            "false",
            "0",
            "no special educational need",
            "no special educational needs",
            "no sen",
        ),
        False,
    ),
    **dict.fromkeys(
        (
            "k",
            "e",
            "s",
            "a",
            "p",
            "y",
            "yes",
            "true",
            "1",
            "sen support",
            "ehc plan",
            "ehcp",
            "education, health and care plan",
            "statement",
            "school action",
            "school action plus",
        ),
        True,
    ),
}
PUPIL_PREMIUM = {
    **dict.fromkeys(("", "n", "no", "false", "0", "f"), False),
    **dict.fromkeys(("y", "yes", "true", "1", "t"), True),
}


# Told what is counted ("rows checked", "pupils written"), how many are done and of how many.
Progress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import did (or, with `dry_run`, would do): counted by row, leavers by UPN."""

    accepted: int = 0
    changed: int = 0  # on roll here already, with another year group, group or flag now
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    leavers: list[str] = field(default_factory=list)  # a full roll: on roll here, not in the file
    left_on: str | None = None
    position: int = 0
    dry_run: bool = False
    applied: bool = True  # False: a full roll with refused rows, so nothing was changed


@dataclass
class Plan:
    """The rows of a file decided before anything is written: whom to enrol, and what changed of
    whom."""

    enrol: list[tuple[int, dict[str, Any], str | None]] = field(
        default_factory=list
    )  # line, arguments, group
    update: list[dict[str, Any]] = field(default_factory=list)
    listed: set[str] = field(default_factory=set)  # every UPN in the file, refused rows' too
    report: ImportReport = field(default_factory=ImportReport)


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
            # A short row leaves its missing fields empty, so each is refused by name, not by a
            # crash.
            values = {name: "" for name in names if name}
            values.update({n: c.strip() for n, c in zip(names, cells, strict=False) if n})
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
    raise InvalidValue(
        f"{field_name} {text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)", field_name
    )


def parse_year_group(text: str) -> int:
    upper = text.upper().strip()
    digits = (
        upper.removeprefix("YEAR") if upper.startswith("YEAR") else upper.removeprefix("Y")
    ).strip()
    if not (is_digits(digits) and len(digits) <= 2):
        raise InvalidValue(f"year_group {text!r} is not a year group", "year_group")
    return int(digits)


def parse_flag(text: str, meanings: dict[str, bool], field_name: str) -> bool:
    """A yes/no cell as an MIS writes it; anything else is refused rather than read as "no"."""
    value = meanings.get(" ".join(text.lower().split()))
    if value is None:
        raise InvalidValue(f"{field_name} {text!r} is not a value this column takes", field_name)
    return value


def command(row: dict[str, str], exported_on: date) -> dict[str, Any]:
    """The enrol_pupil arguments for one row of a roll exported on `exported_on`; raises
    InvalidValue naming the bad field."""
    now, born = (
        AcademicYear.containing(exported_on),
        parse_date(row["date_of_birth"], "date_of_birth"),
    )
    year_group = check_year_group(parse_year_group(row["year_group"]))
    enrolled_on = (
        parse_date(row["enrolled_on"], "enrolled_on") if row.get("enrolled_on") else exported_on
    )
    if enrolled_on > exported_on:
        raise InvalidValue(
            f"enrolled_on {enrolled_on} is after the export date {exported_on}", "enrolled_on"
        )
    at_admission = year_group - (now.start_year - AcademicYear.containing(enrolled_on).start_year)
    if at_admission < 1:
        # Admitted in Reception or nursery (an all-through school): year groups here start at 1 and
        # nothing the tracker counts happens earlier, so the stay is recorded from Year 1.
        enrolled_on, at_admission = date(now.start_year - year_group + 1, 9, 1), 1
    return {
        "upn": row["upn"],
        "given_name": row["given_name"],
        "family_name": row["family_name"],
        "date_of_birth": born,
        "year_group": at_admission,
        "enrolled_on": enrolled_on,
        "sen": parse_flag(row.get("sen", ""), SEN, "sen"),
        "pupil_premium": parse_flag(row.get("pupil_premium", ""), PUPIL_PREMIUM, "pupil_premium"),
    }


def import_pupils(
    app: Any,
    urn: str,
    data: bytes,
    caller: Any = None,
    exported_on: date | None = None,
    enrol: Any = None,
    full_roll: bool = False,
    dry_run: bool = False,
    apply_good_rows: bool = False,
    progress: Progress = lambda what, done, total: None,
) -> ImportReport:
    """Enrol every good row of a roll exported on `exported_on` (default today); record what changed
    of pupils already on roll here (year group, group, SEN, pupil premium); report each refused row
    with its line and reasons. Importing the same roll again stores nothing.

    A `full_roll` is the school's whole roll: pupils on roll here but not in it leave on the day
    before the export; and it is all or nothing: with a refused row nothing changes, unless
    `apply_good_rows`. `dry_run` decides every row and reports what would happen, storing nothing.
    `enrol` stands in for `app.enrol_pupil` where the caller limits enrolments (the API's, per
    token). `progress` is told the rows checked, then the pupils written, as each is done."""
    exported_on = exported_on or app.today()
    check_not_future("exported_on", exported_on, app.today())
    enrol = enrol or app.enrol_pupil
    plan = _plan(app, urn, data, exported_on, enrol, caller, progress)
    report = plan.report
    if full_roll:
        day_before = exported_on - timedelta(days=1)
        # On roll both days: not already gone by the export, nor admitted on its day. A refused
        # row's pupil is not a leaver: the row is wrong, not the roll.
        staying = set(app.on_roll(urn, exported_on))
        report.leavers = [
            upn for upn in app.on_roll(urn, day_before) if upn in staying and upn not in plan.listed
        ]
        report.left_on = day_before.isoformat()
    report.dry_run = dry_run
    if dry_run or (full_roll and report.rejected and not apply_good_rows):
        report.applied = False
        return report
    _apply(app, urn, plan, exported_on, enrol, caller, progress)
    if report.leavers:
        report.position = app.record_leavers(
            urn, report.leavers, exported_on - timedelta(days=1), caller=caller
        ).position
    return report


def _plan(
    app: Any,
    urn: str,
    data: bytes,
    exported_on: date,
    enrol: Any,
    caller: Any,
    progress: Progress,
) -> Plan:
    """Each row decided, storing nothing: to enrol, to update, unchanged, or refused with its
    reasons."""
    now, plan, seen = AcademicYear.containing(exported_on), Plan(), set()
    read = list(rows(decode(data)))  # all of them first, to say how far through we are
    for line, row in _told(read, "rows checked", progress):
        if isinstance(row, InvalidValue):
            plan.report.rejected.append({"line": line, "reasons": row.errors})
            continue
        plan.listed.add(row.get("upn", "").strip().upper())
        try:
            arguments = command(row, exported_on)
            if arguments["upn"].upper() in seen:
                raise InvalidValue(f"{arguments['upn']} appears earlier in the file", "upn")
            seen.add(arguments["upn"].upper())
            _decide(app, urn, plan, line, row, arguments, now, enrol, caller)
        except TrackerError as refused:
            plan.report.rejected.append({"line": line, "reasons": refused.errors})
    return plan


def _decide(
    app: Any,
    urn: str,
    plan: Plan,
    line: int,
    row: dict[str, str],
    arguments: dict[str, Any],
    now: AcademicYear,
    enrol: Any,
    caller: Any,
) -> None:
    group = (
        check_text("group", row["group"], required=False, max_length=20)
        if row.get("group")
        else None
    )
    details = app.roll_details(arguments["upn"].strip().upper(), now)
    if details is None or details["school_urn"] != urn:
        enrol(urn, caller=caller, dry_run=True, **arguments)  # refused here as it would be for real
        plan.enrol.append((line, arguments, group))
        plan.report.accepted += 1
        return
    wanted = {
        "year_group": parse_year_group(row["year_group"]),
        "group": group or details["group"],
        "sen": arguments["sen"],
        "pupil_premium": arguments["pupil_premium"],
    }
    if all(details[key] == value for key, value in wanted.items()):
        plan.report.unchanged += 1
        return
    plan.update.append({"upn": arguments["upn"].strip().upper(), **wanted, "was": details})
    plan.report.changed += 1


def _apply(
    app: Any,
    urn: str,
    plan: Plan,
    exported_on: date,
    enrol: Any,
    caller: Any,
    progress: Progress,
) -> None:
    """Write what the plan decided, a pupil at a time; a row refused now (someone wrote in between)
    is reported like any other."""
    year, report = str(AcademicYear.containing(exported_on)), plan.report
    total = len(plan.enrol) + len(plan.update)
    for line, arguments, group in _told(plan.enrol, "pupils written", progress, total=total):
        try:
            report.position = enrol(urn, caller=caller, **arguments).position
            if group:
                report.position = app.update_roll_details(
                    urn, arguments["upn"], year, group=group, caller=caller
                ).position
        except TrackerError as refused:
            report.accepted -= 1
            report.rejected.append({"line": line, "reasons": refused.errors})
    after = len(plan.enrol)
    for change in _told(plan.update, "pupils written", progress, after, total):
        if change["year_group"] != change["was"]["year_group"]:
            report.position = app.change_year_group(
                change["upn"], change["year_group"], year, within_school=urn, caller=caller
            ).position
        report.position = app.update_roll_details(
            urn,
            change["upn"],
            year,
            group=change["group"],
            sen=change["sen"],
            pupil_premium=change["pupil_premium"],
            caller=caller,
        ).position


def _told(
    items: list, what: str, progress: Progress, before: int = 0, total: int | None = None
) -> Iterator:
    """Each item; `progress` is told once the loop has dealt with it (at its next turn)."""
    for done, item in enumerate(items, before + 1):
        yield item
        progress(what, done, len(items) if total is None else total)
