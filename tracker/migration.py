"""Sealing the identities that versions before per-pupil keys stored in the clear: the one
sanctioned rewrite of stored events (why it is safe: docs/erasure.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from tracker.identity import IDENTITY_TOPICS

BATCH = 1000


@dataclass
class MigrationReport:
    examined: int = 0  # events that can carry an identity, read (registrations, enrolments)
    in_the_clear: int = 0  # of which held an identity not yet sealed
    sealed: int = 0  # rewritten by this run (0 on a dry run)


def migrate_identities(
    app: Any,
    dry_run: bool = False,
    batch_size: int = BATCH,
    progress: Callable[[MigrationReport], None] = lambda report: None,
) -> MigrationReport:
    """Seal, batch by batch in log order, every event still holding a name or date of birth in the
    clear, under its pupil's own key (a new one where they have none; none is kept for a pupil
    already erased).

    Each batch is re-read and rewritten in one transaction that holds other writers off, so a run
    may stop anywhere and be run again: what it sealed stays sealed, and is passed over.
    """
    report, after = MigrationReport(), 0
    while batch := app.recorder.select_notifications(
        start=after + 1, limit=batch_size, topics=list(IDENTITY_TOPICS)
    ):
        in_the_clear = [
            notification for notification in batch if app.mapper.is_in_the_clear(notification)
        ]
        report.examined += len(batch)
        report.in_the_clear += len(in_the_clear)
        if in_the_clear and not dry_run:
            report.sealed += app.recorder.rewrite_identities(in_the_clear, app.mapper.reseal)
        after = batch[-1].id
        progress(report)
    return report
