"""The long commands' progress on stderr, as a person at a terminal and a pipe (CI, a log) see it:
a bar on a terminal, plain lines without escape codes elsewhere; and the demo's second run,
which prints how to sign in again."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tracker.calendar import AcademicYear

ROOT = Path(__file__).resolve().parents[2]
ESCAPE = "\x1b"
BAR = "\u2501"  # the heavy horizontal line rich draws its bars with
SMALL_DEMO = ["demo", "--if-empty", "--la", "420", "--outside", "857"]  # Scilly: 4 schools
FIVE_ISLANDS = "144638"  # Scilly's one school, in the demo hub


def tracker(*args: str, env: dict[str, str], **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo store, built once in a pipe: its environment and what the first run said."""
    folder = tmp_path_factory.mktemp("progress")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
    }
    env.pop("SECRET_KEY", None)
    built = tracker(*SMALL_DEMO, env=env)
    assert built.returncode == 0, built.stderr[-2000:]
    return {"env": env, "built": built, "folder": folder}


def plain_lines(stderr: str, command: str, what: str) -> list[tuple[int, int]]:
    pattern = re.compile(rf"^{re.escape(command)}: (\d+) of (\d+) {re.escape(what)}$", re.M)
    return [(int(done), int(total)) for done, total in pattern.findall(stderr)]


def test_the_demo_in_a_pipe_says_its_schools_and_events_as_plain_lines(demo):
    stderr = demo["built"].stderr
    assert ESCAPE not in stderr and BAR not in stderr
    assert plain_lines(stderr, "demo", "schools") == [(n, 4) for n in range(1, 5)]
    events = plain_lines(stderr, "demo", "events")
    assert events and events[-1][0] == events[-1][1] > 10_000
    assert ESCAPE not in demo["built"].stdout


def test_rebuild_in_a_pipe_says_how_far_it_has_got_in_plain_lines_and_answers_on_stdout(demo):
    rebuilt = tracker("rebuild", env=demo["env"])
    assert rebuilt.returncode == 0
    steps = plain_lines(rebuilt.stderr, "rebuild", "events")
    assert len(steps) >= 3, rebuilt.stderr
    assert [done for done, _ in steps] == sorted({done for done, _ in steps})
    head = steps[-1][1]
    assert steps[-1] == (head, head)
    assert ESCAPE not in rebuilt.stderr + rebuilt.stdout
    assert rebuilt.stdout == f"rebuilt views at position {head}\n"
    assert rebuilt.stderr.count("\n") == len(steps), "nothing but progress on stderr"


def test_verify_in_a_pipe_counts_the_events_it_replays(demo):
    verified = tracker("verify", env=demo["env"])
    assert verified.returncode == 0, verified.stdout
    steps = plain_lines(verified.stderr, "verify", "events")
    assert steps and steps[-1][0] == steps[-1][1] > 10_000
    assert verified.stdout.splitlines()[-1] == "views agree with the log"


def on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal (stdout still a pipe): exit status, stdout, and what
    the terminal was sent."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env={**env, "COLUMNS": "100", "TERM": "xterm-256color"},
        stdout=subprocess.PIPE,
        stderr=terminal,
        text=True,
    )
    os.close(terminal)
    sent = bytearray()
    while True:
        ready, _, _ = select.select([controller], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal's other end closed: the command has ended
            break
        if not chunk:
            break
        sent += chunk
    os.close(controller)
    stdout = process.stdout.read()
    return process.wait(timeout=60), stdout, sent.decode("utf-8", "replace")


def test_rebuild_on_a_terminal_draws_a_bar_that_ends_full(demo):
    status, stdout, screen = on_a_terminal(["rebuild"], demo["env"])
    assert status == 0
    head = int(stdout.split()[-1])
    assert BAR in screen and ESCAPE in screen
    assert "rebuild: events" in screen
    assert f"{head}/{head}" in screen
    assert not plain_lines(screen.replace("\r", ""), "rebuild", "events"), "no plain lines"


def test_import_pupils_counts_rows_checked_and_then_pupils_written(demo, tmp_path):
    born = date(AcademicYear.containing(date.today()).start_year - 11, 1, 15)  # Year 7 now
    roll = tmp_path / "roll.csv"
    roll.write_text(
        "UPN,Legal Surname,Forename,DOB,NC Year\r\n"
        f"X885400112099,Pupil,Ann,{born:%d/%m/%Y},Y7\r\n"
        f"U885400112097,Pupil,Ben,{born:%d/%m/%Y},Y7\r\n"
    )
    imported = tracker("import-pupils", str(roll), "--school", FIVE_ISLANDS, env=demo["env"])
    assert imported.stdout == "2 enrolled, 0 changed, 0 unchanged, 0 refused\n", imported.stderr
    assert imported.stderr.splitlines() == [
        "import-pupils: 1 of 2 rows checked",
        "import-pupils: 2 of 2 rows checked",
        "import-pupils: 1 of 2 pupils written",
        "import-pupils: 2 of 2 pupils written",
    ]


def test_an_xlsx_export_counts_the_schools_it_reads(demo, tmp_path):
    exported = tracker("export", str(tmp_path / "all.xlsx"), env=demo["env"])
    assert exported.returncode == 0, exported.stderr
    assert plain_lines(exported.stderr, "export", "schools")[-1] == (4, 4)
    assert exported.stdout.startswith("wrote 4 schools to ")


def test_the_second_demo_run_prints_the_same_sign_in_lines_as_the_first(demo):
    first = demo["built"].stdout.splitlines()
    sign_in = [line for line in first if " token: " in line or " account: " in line]
    assert len(sign_in) == 6, first
    again = tracker(*SMALL_DEMO, env=demo["env"])
    assert again.returncode == 0
    lines = again.stdout.splitlines()
    assert lines[0] == "the store already holds events; leaving it as it is"
    assert lines[1].startswith("sign in at http://127.0.0.1:8000/dashboard/")
    assert lines[2:] == sign_in
    kept = Path(f"{demo['folder'] / 'demo.sqlite3'}-demo-sign-in")
    assert kept.stat().st_mode & 0o777 == 0o600, "readable by its owner only"
    assert again.stderr == "", "nothing built, so no progress"
