"""The MIS import against files as school systems really write them: any spelling of the headers in
any order, extra columns, optional admission dates and SEN/PP flags, byte-order marks, CRLF, blank
lines, quoted cells holding commas, quotes and line breaks, and names that look like attacks.

test_import_fuzz.py throws random bytes and random cells under one fixed header; here the header
varies, and each row is followed to where it ends up: enrolled with its names exactly as typed,
or reported with a line that falls inside that row and a reason.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.api.conftest import make_world
from tests.integration.test_import_fuzz import GOOD_UPNS, events, fresh_app
from tests.scenarios import SCHOOL_A
from tracker.errors import TrackerError
from tracker.imports import HEADERS, decode, import_pupils

SPELLINGS = {
    "upn": ["UPN", "Unique Pupil Number", "upn"],
    "given_name": ["Forename", "Legal Forename", "First Name", "given_name"],
    "family_name": ["Surname", "Legal Surname", "Last Name", "family_name"],
    "date_of_birth": ["DOB", "Date of Birth", "date_of_birth"],
    "year_group": ["NC Year", "Year Group", "NCY", "Year", "NC Year Actual"],
    "enrolled_on": ["Admission Date", "Date of Admission"],
    "sen": ["SEN", "SEN Status"],
    "pupil_premium": ["PP", "Pupil Premium"],
}
REQUIRED = ["upn", "given_name", "family_name", "date_of_birth", "year_group"]
OPTIONAL = ["enrolled_on", "sen", "pupil_premium"]
# Names a school might type, and names that look like attacks but are still only names.
GOOD_NAMES = st.sampled_from(
    [
        "Smith",
        "O'Brien",
        "Zoë",
        "Nguyễn",
        "Smith, Jr",
        'The "Rock"',
        "two\nlines",
        "  padded  ",
        "'; DROP TABLE events; --",
        '" OR 1=1 --',
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\u202eevil",
        "🎓",
        "=cmd|' /C calc'!A0",
    ]
)
NAMES = st.one_of(
    GOOD_NAMES, st.sampled_from(["", "   ", "a\x00b", "x" * 201]), st.text(max_size=15)
)
# Dates from years the calendar handles; a date in the year 1 has its own test below.
DATES = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2025, 12, 31)).flatmap(
        lambda d: st.sampled_from(
            [d.isoformat(), d.strftime("%d/%m/%Y"), d.strftime("%d-%m-%Y"), d.strftime("%d.%m.%Y")]
        )
    ),
    st.sampled_from(
        ["", "31/02/2007", "2007-13-01", "15/01/07", "tomorrow", "15/01/2007", "2007-01-15"]
    ),
)
YEAR_GROUPS = st.sampled_from(
    ["7", "Y7", "Year 7", "07", "7 ", "13", "0", "15", "99", "", "seven", "７"]
)
FLAGS = st.sampled_from(["", "Y", "N", "K", "E", "true", "no", "1"])
UPNS = st.one_of(
    st.sampled_from(GOOD_UPNS[:12]),
    st.sampled_from(GOOD_UPNS[:12]).map(str.lower),
    st.sampled_from(["", "NOT-A-UPN", "X88540011209", "A885400118001"]),
)


@st.composite
def plausible(draw) -> dict[str, str]:
    """A row a school would mean: a good UPN, a birth date that fits the year group, fuzzed
    names."""
    year_group = draw(st.integers(7, 13))
    born = draw(st.dates(date(2018 - year_group - 5, 9, 1), date(2018 - year_group - 4, 8, 31)))
    names = st.one_of(GOOD_NAMES, GOOD_NAMES, NAMES)
    return {
        "upn": draw(st.sampled_from(GOOD_UPNS)),
        "given_name": draw(names),
        "family_name": draw(names),
        "date_of_birth": draw(st.sampled_from([born.isoformat(), born.strftime("%d/%m/%Y")])),
        "year_group": draw(
            st.sampled_from([str(year_group), f"Y{year_group}", f"Year {year_group}"])
        ),
        "enrolled_on": draw(st.sampled_from(["", "2018-09-03", "07/01/2019"])),
        "sen": draw(FLAGS),
        "pupil_premium": draw(FLAGS),
    }


VALUES = {
    "upn": UPNS,
    "given_name": NAMES,
    "family_name": NAMES,
    "date_of_birth": DATES,
    "year_group": YEAR_GROUPS,
    "enrolled_on": DATES,
    "sen": FLAGS,
    "pupil_premium": FLAGS,
}


@st.composite
def mis_files(draw) -> tuple[bytes, str]:
    """A file and the encoding it was written in."""
    fields = REQUIRED + draw(st.lists(st.sampled_from(OPTIONAL), unique=True))
    extras = draw(st.lists(st.sampled_from(["Tutor Group", "Gender", "Notes", ""]), max_size=2))
    columns = draw(st.permutations(fields + extras))
    header = [draw(st.sampled_from(SPELLINGS[c])) if c in SPELLINGS else c for c in columns]
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 5)) == 0:
            rows.append([])  # a blank line
            continue
        meant = draw(plausible()) if draw(st.integers(0, 3)) else {}
        row = [
            meant[c]
            if c in meant
            else draw(VALUES[c])
            if c in VALUES
            else draw(st.text(max_size=5))
            for c in columns
        ]
        if not meant:  # a wild row may also run short
            row = row[: draw(st.integers(len(row) - 1, len(row)))]
        rows.append(row + draw(st.lists(st.just("extra"), max_size=1)))
    out = io.StringIO()
    writer = csv.writer(
        out,
        lineterminator=draw(st.sampled_from(["\r\n", "\n"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
    )
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    try:
        return out.getvalue().encode(encoding), encoding
    except UnicodeEncodeError:
        return out.getvalue().encode("utf-8"), "utf-8"


def records(data: bytes) -> list[tuple[int, int, list[str] | None]]:
    """(first line, last line, cells) of each row with something in it, read as the import reads the
    file; cells are None for a row the CSV reader cannot read (a bare carriage return, say)."""
    reader, found = csv.reader(io.StringIO(decode(data))), []
    next(reader)
    while True:
        first = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return found
        except csv.Error:
            found.append((first, reader.line_num, None))
            continue
        if any(cell.strip() for cell in cells):
            found.append((first, reader.line_num, cells))


def cell(data: bytes, cells: list[str], field: str) -> str:
    """The trimmed cell under whichever header spelling means `field`."""
    header = next(csv.reader(io.StringIO(decode(data))))
    position = next(i for i, h in enumerate(header) if HEADERS.get(h.strip().lower()) == field)
    return cells[position].strip() if position < len(cells) else ""


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=mis_files())
def test_every_row_of_an_mis_export_is_enrolled_as_typed_or_reported_within_its_own_lines(file):
    data, encoding = file
    app = fresh_app()
    report = import_pupils(
        app, SCHOOL_A, data
    )  # a header with every required column: never refused whole
    found = records(data)
    assert report.accepted + report.unchanged + len(report.rejected) == len(found)
    lines = [r["line"] for r in report.rejected]
    assert lines == sorted(set(lines)) and all(r["reasons"] for r in report.rejected)
    reported = {first for first, last, _ in found if any(first <= line <= last for line in lines)}
    assert len(reported) == len(lines), "each report falls inside exactly one row"
    assert all(first in reported for first, _, cells in found if cells is None)
    for first, _, cells in found:
        if first not in reported:  # enrolled: on roll here, with names exactly as typed (trimmed)
            pupil = app._student(cell(data, cells, "upn").upper())
            assert app.current_school_of(pupil.upn) == SCHOOL_A, (first, cells)
            assert (pupil.given_name, pupil.family_name) == (
                cell(data, cells, "given_name"),
                cell(data, cells, "family_name"),
            )
    event(f"{report.accepted} accepted, {len(report.rejected)} reported")
    event(f"written as {encoding}")
    stored = events(app)
    again = import_pupils(app, SCHOOL_A, data)
    assert (again.accepted, again.unchanged) == (0, report.accepted + report.unchanged)
    assert [r["line"] for r in again.rejected] == lines and events(app) == stored


def test_names_that_look_like_attacks_are_enrolled_exactly_as_typed():
    app = fresh_app()
    names = [
        "'; DROP TABLE events; --",
        "<script>alert(1)</script>",
        "=cmd|' /C calc'!A0",
        'The "Rock"',
        "Smith, Jr",
        "\u202eevil",
        "two\nlines",
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["UPN", "Legal Surname", "Forename", "DOB", "NC Year"])
    writer.writerows(
        [[GOOD_UPNS[i], name, name, "15/01/2007", "7"] for i, name in enumerate(names)]
    )
    report = import_pupils(app, SCHOOL_A, out.getvalue().encode())
    assert (report.accepted, report.rejected) == (len(names), [])
    stored = [
        (app._student(GOOD_UPNS[i]).family_name, app._student(GOOD_UPNS[i]).given_name)
        for i in range(len(names))
    ]
    assert stored == [(name, name) for name in names]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_file_in_an_encoding_we_do_not_read_is_refused_whole_and_stores_nothing(encoding):
    app = fresh_app()
    before = events(app)
    data = (
        f"UPN,Legal Surname,Forename,DOB,NC Year\n{GOOD_UPNS[0]},Smith,Ann,15/01/2007,7\n".encode(
            encoding
        )
    )
    with pytest.raises(TrackerError) as refused:
        import_pupils(app, SCHOOL_A, data)
    assert refused.value.field == "file" and events(app) == before


YEAR_ONE_FILE = (
    "UPN,Legal Surname,Forename,DOB,NC Year,Admission Date\n"
    f"{GOOD_UPNS[0]},Smith,Ann,15/01/2007,7,03/09/2018\n"
    f"{GOOD_UPNS[1]},Jones,Bob,15/01/2007,7,01/01/0001\n"
).encode()


def test_an_admission_date_in_the_year_one_is_reported_by_line_not_raised():
    report = import_pupils(fresh_app(), SCHOOL_A, YEAR_ONE_FILE)
    assert (report.accepted, [r["line"] for r in report.rejected]) == (1, [3])


def test_over_http_a_bad_row_never_hides_the_report_of_the_rows_already_enrolled():
    world = make_world({"PROPAGATE_EXCEPTIONS": False})
    response = world.client.post(
        "/api/v1/schools/900001/pupils/import",
        data=YEAR_ONE_FILE,
        headers=world.headers("school", **{"Content-Type": "text/csv"}),
    )
    assert response.status_code == 200, (response.status_code, response.json)
    assert response.json["accepted"] == 1 and [r["line"] for r in response.json["rejected"]] == [3]
