"""Progress of a long command on stderr: a rich bar on a terminal, plain lines elsewhere (a pipe,
a log, CI), so stdout keeps only the command's answer.

The work code knows nothing of either: it calls back `step(what, done, total)` (or a narrower
callback adapted to it here) and the command chooses how that is shown."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import IO, Callable, Iterator

Step = Callable[[str, int, int], None]
# Plain lines are written at each tenth of the total and at its end: a 130,000-event rebuild says
# about ten lines, not one a page.
PLAIN_STEPS = 10


@contextmanager
def progress(command: str, stream: IO[str] | None = None) -> Iterator[Step]:
    """A `step(what, done, total)` callback for `command`'s work, `what` naming what is counted
    ("events", "rows checked"), shown on `stream` (stderr) until the block ends."""
    stream = stream or sys.stderr
    if stream.isatty():
        with _bar(command, stream) as step:
            yield step
    else:
        yield PlainLines(command, stream)


@contextmanager
def _bar(command: str, stream: IO[str]) -> Iterator[Step]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    tasks: dict[str, int] = {}
    with Progress(*columns, console=Console(file=stream), transient=False) as bar:

        def step(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(f"{command}: {what}", total=total)
            bar.update(tasks[what], completed=done, total=total)

        yield step


class PlainLines:
    """Lines like "rebuild: 120000 of 133480 events", at each tenth of the way and at the end."""

    def __init__(self, command: str, stream: IO[str]):
        self.command, self.stream = command, stream
        self.said: dict[str, int] = {}  # the last tenth said, per part of the work

    def __call__(self, what: str, done: int, total: int) -> None:
        tenth = PLAIN_STEPS if total <= 0 else min(PLAIN_STEPS, PLAIN_STEPS * done // total)
        if self.said.get(what, -1) >= tenth:
            return
        self.said[what] = tenth
        print(f"{self.command}: {done} of {total} {what}", file=self.stream, flush=True)


def counting(step: Step, what: str, total: int) -> Callable[[int], None]:
    """A callback that advances `what` by a number done each time (a school, a page of events)."""
    done = 0

    def advance(count: int = 1) -> None:
        nonlocal done
        done += count
        step(what, done, total)

    return advance
