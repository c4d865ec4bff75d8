"""Rebuild the views from the log beside the live ones, then swap them in; or verify they agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from projections.runner import Runner
from projections.store import CHECK, SCRATCH, ViewStore
from projections.tables import COMPARED, TABLES
from tracker.errors import Conflict

MAX_EXAMPLES = 5


@dataclass
class Difference:
    table: str
    only_live: int
    only_rebuilt: int
    examples: list[str] = field(default_factory=list)


# Told the events applied so far and the log's length when the work began (a command's progress).
Progress = Callable[[int, int], None]


def build_scratch(
    app: Any, live: ViewStore, until: int | None = None, progress: Progress | None = None
) -> ViewStore:
    """Fresh scratch tables, built from the whole log (up to `until`)."""
    scratch = live.with_prefix(SCRATCH)
    scratch.drop_tables()
    scratch.create_tables()
    Runner(app, scratch).catch_up(until, _told(progress, until or _log_length(app)))
    return scratch


def _log_length(app: Any) -> int:
    return app.recorder.max_notification_id() or 0


def _told(progress: Progress | None, total: int) -> Callable[[int], None] | None:
    return None if progress is None else lambda applied: progress(applied, total)


class ViewsBusy(Conflict):
    def __init__(self):
        super().__init__(
            "a verify or a rebuild of the views is already running; try again when it has finished"
        )


def rebuild(app: Any, live: ViewStore, progress: Progress | None = None) -> int:
    """Build new views from the log and swap them in while reads continue; returns their position.
    A rebuild or verify already running is waited for."""
    with live.maintaining():
        live.swap_in(build_scratch(app, live, progress=progress))
    return live.position()


def verify(
    app: Any, live: ViewStore, attempts: int = 10, progress: Progress | None = None
) -> list[Difference]:
    """Every difference between the live views and a rebuild to the same position; `ViewsBusy`
    while another verify or a rebuild runs, rather than a second one doubling the load."""
    with live.maintaining(wait=False) as ours:
        if not ours:
            raise ViewsBusy()
        return _verify(app, live, attempts, progress)


def _verify(
    app: Any, live: ViewStore, attempts: int, progress: Progress | None
) -> list[Difference]:
    scratch = live.with_prefix(CHECK)
    scratch.drop_tables()
    scratch.create_tables()
    for _ in range(attempts):
        target = live.position()
        # A second attempt carries on from where the first got to: count from there.
        told = _told(progress, target - scratch.position())
        Runner(app, scratch).catch_up(target, told)
        with live.snapshot() as cursor:
            if _position(live, cursor) == target == _position(scratch, cursor):
                differences = [
                    d for d in (_compare(live, scratch, cursor, t) for t in COMPARED) if d
                ]
                break
    else:
        raise RuntimeError("the live views kept moving; verify again when writes are quieter")
    scratch.drop_tables()
    return differences


def _position(store: ViewStore, cursor: Any) -> int:
    rows = store.execute(cursor, "SELECT position FROM {tracking} WHERE name = 'views'").fetchall()
    return rows[0][0] if rows else 0


def _compare(live: ViewStore, scratch: ViewStore, cursor: Any, table: str) -> Difference | None:
    only_live = _except(live, scratch, cursor, table)
    only_rebuilt = _except(scratch, live, cursor, table)
    if not only_live and not only_rebuilt:
        return None
    examples = [f"live only: {row}" for row in only_live[:MAX_EXAMPLES]]
    examples += [f"rebuilt only: {row}" for row in only_rebuilt[:MAX_EXAMPLES]]
    return Difference(table, len(only_live), len(only_rebuilt), examples)


def _except(first: ViewStore, second: ViewStore, cursor: Any, table: str) -> list[tuple]:
    """Rows of `first`'s table missing from `second`'s (table names come from the fixed list)."""
    assert table in TABLES
    left = first.statement(f"SELECT * FROM {{{table}}}")
    right = second.statement(f"SELECT * FROM {{{table}}}")
    cursor.execute(_joined(left, right))
    return list(cursor.fetchall())


def _joined(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        return f"{left} EXCEPT {right}"
    from psycopg import sql

    return sql.SQL(" EXCEPT ").join([left, right])
