"""`tracker erase`, `tracker retention` and `tracker migrate-identities`, run in-process against
SQLite and PostgreSQL stores (a memory store does not outlive one command)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from cli import main
from tests.integration.test_identity_migration import writing_as_older_versions_did
from tests.scenarios import ADMIN, SCHOOL_A, build_worked_example
from tracker.application import Tracker
from tracker.domain.student import Student
from tracker.identifiers import make_upn
from tracker.usecases.erasure import years_before

TODAY = date.today()  # the command's own clock
START = date(TODAY.year - 12, 9, 3)
OLD, RECENT, ON_ROLL = (make_upn("885", "4001", 12, serial) for serial in (801, 802, 803))


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path, monkeypatch):
    url = (
        f"sqlite:///{tmp_path / 'events.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def leavers(url):
    app = Tracker.from_url(url)
    app.register_school(SCHOOL_A, "School A", "secondary", "885", "8854001", caller=ADMIN)
    for upn, name in ((OLD, "Oldfield"), (RECENT, "Recentia"), (ON_ROLL, "Onroll")):
        app.enrol_pupil(
            SCHOOL_A, upn, name, "Pupil", date(START.year - 11, 1, 15), 7, START, caller=ADMIN
        )
    app.record_leaving(SCHOOL_A, OLD, years_before(TODAY, 7), caller=ADMIN)
    app.record_leaving(SCHOOL_A, RECENT, years_before(TODAY, 2), caller=ADMIN)
    return app


def name_of(url: str, upn: str) -> str | None:
    return Tracker.from_url(url).identity_of(upn)[
        "given_name"
    ]  # a fresh process's view of the store


def restore_key(url: str, upn: str, key: bytes) -> None:
    """Put a key back as a restore of the key table from an older backup would."""
    pupil = Student.create_id(upn)
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute("INSERT INTO identity_keys VALUES (?, ?)", (pupil.hex, key))
        return
    import psycopg

    with psycopg.connect(url) as connection:
        connection.execute("INSERT INTO identity_keys VALUES (%s, %s)", (pupil, key))


def test_retention_lists_then_erases_leavers_past_the_period_and_sweeps_a_restored_key(
    url, leavers, capsys, monkeypatch
):
    key = leavers.recorder.select_keys([Student.create_id(OLD)])[Student.create_id(OLD)]
    assert main(["retention", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{OLD} left on {years_before(TODAY, 7)}: would be erased",
        "1 to erase (kept 6 years after leaving), 0 refused; "
        "0 keys of pupils erased earlier still held",
    ]
    assert name_of(url, OLD) == "Oldfield"

    assert main(["retention"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[0] == f"{OLD} left on {years_before(TODAY, 7)}: erased"
    )
    assert (name_of(url, OLD), name_of(url, RECENT), name_of(url, ON_ROLL)) == (
        None,
        "Recentia",
        "Onroll",
    )
    assert main(["retention"]) == 0
    assert capsys.readouterr().out.startswith("0 erased")

    restore_key(url, OLD, key)
    assert name_of(url, OLD) == "Oldfield"  # the restored key opens the identity again...
    assert main(["retention"]) == 0
    assert capsys.readouterr().out.endswith("1 keys of pupils erased earlier destroyed\n")
    assert name_of(url, OLD) is None  # ...until the next run destroys it

    monkeypatch.setenv("RETENTION_YEARS", "1")
    main(["retention", "--dry-run"])
    assert capsys.readouterr().out.startswith(
        f"{RECENT} left on {years_before(TODAY, 2)}: would be erased"
    )
    monkeypatch.setenv("RETENTION_YEARS", "six")
    assert main(["retention"]) == 2
    assert "RETENTION_YEARS must be" in capsys.readouterr().err


def test_erase_erases_a_leaver_and_refuses_a_pupil_on_roll(url, leavers, capsys):
    assert main(["erase", RECENT, "--requested-by", SCHOOL_A, "--reason", "parent asked"]) == 0
    assert capsys.readouterr().out.startswith(f"the identity of {RECENT} is erased")
    assert name_of(url, RECENT) is None
    assert main(["erase", ON_ROLL, "--requested-by", SCHOOL_A, "--reason", "parent asked"]) == 2
    assert "still on roll" in capsys.readouterr().err and name_of(url, ON_ROLL) == "Onroll"


def database_files(url: str) -> bytes:
    """Every byte SQLite keeps for the store and its views: the files, their logs and journals."""
    events = Path(url.removeprefix("sqlite:///"))
    return b"".join(
        path.read_bytes() for path in events.parent.iterdir() if path.name.startswith("events")
    )


def test_migrate_identities_seals_the_older_versions_events_rebuilds_and_leaves_no_bytes_in_the_clear(  # noqa: E501
    url, capsys
):
    app = Tracker.from_url(url)
    with writing_as_older_versions_did(app):
        build_worked_example(app)
        app.enrol_pupil(
            SCHOOL_A, OLD, "Zebedee", "Quartermaine", date(2006, 3, 17), 8, date(2018, 9, 3)
        )
    assert main(["project", "--once"]) == 0
    if url.startswith("sqlite"):
        assert b"Quartermaine" in database_files(url)
    assert main(["migrate-identities", "--dry-run"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == "17 events with an identity, 17 in the clear, 0 sealed"
    )

    assert main(["migrate-identities", "--batch-size", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0] == "17 events with an identity, 17 in the clear, 17 sealed"
        and out[-1] == "event store and views compacted"
    )
    if url.startswith("sqlite"):
        assert b"Quartermaine" not in database_files(url) and b"Zebedee" not in database_files(url)
    assert name_of(url, OLD) == "Zebedee"
    assert main(["verify"]) == 0


def key_table_files(url: str) -> bytes:
    """The key table's bytes as the database keeps them on disk (skipped where they cannot be
    read)."""
    if url.startswith("sqlite"):
        return database_files(url)
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CHECKPOINT")  # the server's changed pages written out to the files
        (directory,) = connection.execute("SHOW data_directory").fetchone()
        (relation,) = connection.execute("SELECT pg_relation_filepath('identity_keys')").fetchone()
    path = Path(directory) / relation
    try:
        return b"".join(part.read_bytes() for part in path.parent.glob(f"{path.name}*"))
    except OSError as problem:
        pytest.skip(f"the server's files are not readable here ({problem})")


def test_an_erased_pupils_key_leaves_no_bytes_in_the_key_tables_files_once_retention_has_run(
    url, leavers, capsys
):
    key = leavers.recorder.select_keys([Student.create_id(RECENT)])[Student.create_id(RECENT)]
    assert key in key_table_files(url)
    main(["erase", RECENT, "--requested-by", SCHOOL_A, "--reason", "parent asked"])
    if url.startswith("sqlite"):  # the write-ahead log is checkpointed by the erasure itself
        assert key not in key_table_files(url)
    main(["retention"])
    assert key not in key_table_files(url)
