"""The MIS import against anything a file can hold: it reports, it never crashes, it never
half-stores."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY
from tests.scenarios import SCHOOL_A, register_hub_and_schools
from tracker.application import Tracker
from tracker.errors import TrackerError
from tracker.identifiers import make_upn
from tracker.imports import import_pupils

HEADERS = ["UPN", "Legal Surname", "Forename", "DOB", "NC Year", "SEN", "PP"]
GOOD_UPNS = [make_upn("885", "4001", 18, serial) for serial in range(40)]
CELL = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "Y7",
            "7",
            "Year 10",
            "31/02/2007",
            "2007-01-15",
            "15/01/2007",
            "'; DROP TABLE events; --",
            "<script>",
            "\x00",
            "\ufeff",
            '"',
            "a,b",
            "é",
            "9" * 5000,
            "Zoë",
            "\r\n",
        ]
    ),
    st.sampled_from(GOOD_UPNS),
    st.text(max_size=12),
)
ROW = st.lists(CELL, min_size=0, max_size=9)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fresh_app() -> Tracker:
    app = Tracker.from_url("memory://", today=lambda: TODAY)
    register_hub_and_schools(app)
    return app


def as_csv(rows: list[list[str]], header: list[str] = HEADERS) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def data_lines(text: str) -> int:
    """Rows with something in them, as the import counts them (blank rows are skipped)."""
    return sum(
        1 for cells in list(csv.reader(io.StringIO(text)))[1:] if any(c.strip() for c in cells)
    )


def events(app: Tracker) -> int:
    return app.recorder.max_notification_id() or 0


@SETTINGS
@given(rows=st.lists(ROW, max_size=12), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_every_row_is_enrolled_or_reported_with_its_line_and_a_second_import_changes_nothing(
    rows, encoding
):
    text = as_csv(rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    app = fresh_app()
    report = import_pupils(app, SCHOOL_A, data)  # a good header: never refused whole
    assert report.accepted + report.unchanged + len(report.rejected) == data_lines(
        data.decode("utf-8-sig")
        if encoding != "cp1252"
        else data.decode("cp1252", errors="replace")
    )
    assert all(
        isinstance(r["line"], int) and r["line"] >= 2 and r["reasons"] for r in report.rejected
    )
    stored = events(app)
    again = import_pupils(app, SCHOOL_A, data)
    assert again.accepted == 0 and again.unchanged == report.accepted and events(app) == stored


@SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes_are_reported_never_raised(data):
    app = fresh_app()
    before = events(app)
    try:
        report = import_pupils(app, SCHOOL_A, b"UPN,Legal Surname,Forename,DOB,NC Year\n" + data)
    except TrackerError as refused:
        assert refused.field == "file" and events(app) == before
        return
    assert (events(app) > before) == (report.accepted > 0), (
        "stored exactly when something was accepted"
    )
    assert all(r["line"] >= 2 and r["reasons"] for r in report.rejected)


def test_a_file_with_a_nul_byte_or_an_enormous_cell_is_refused_by_line_not_by_a_crash():
    app = fresh_app()
    good = f"{GOOD_UPNS[0]},Smith,Ann,15/01/2007,7\n"
    report = import_pupils(
        app,
        SCHOOL_A,
        (
            "UPN,Legal Surname,Forename,DOB,NC Year\n"
            + good
            + f"{GOOD_UPNS[1]},Sm\x00ith,Bob,15/01/2007,7\n"
            + f"{GOOD_UPNS[2]},{'x' * 200_000},Cy,15/01/2007,7\n"
            f"{GOOD_UPNS[3]},Jones,Di,15/01/2007,{'9' * 5000}\n"
        ).encode(),
    )
    assert report.accepted == 1
    assert [r["line"] for r in report.rejected] == [3, 4, 5]
