"""What an export holds, read from the views: a row per school, and in a workbook the schools'
year groups and, for a hub, its figures beside the national and non-hub ones; or a row per
employer (tracker/exports.py writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from projections import small_numbers
from projections.queries import Reads
from tracker.exports import (
    BY_YEAR_GROUP,
    EMPLOYER_HEADER,
    HEADER,
    HUB_VS_NATIONAL,
    METRICS_HEADER,
    YEAR_GROUP_HEADER,
    employer_rows,
    metric_rows,
    school_rows,
    year_group_rows,
)
from tracker.workbook import Sheet


@dataclass(frozen=True)
class Export:
    header: list[str]
    rows: list[list[Any]]
    more: tuple[Sheet, ...] = ()  # the workbook's further sheets


def schools_export(
    reads: Reads,
    as_of: date,
    hub: str | None,
    withhold_below: int | None,
    workbook: bool,
    progress: Callable[[int, int], None] = lambda done, of: None,
    known_at: datetime | None = None,
) -> Export:
    """Each school's row (a hub's members only, given `hub`); `withhold_below` withholds small
    counts as the hub's own token reads them. A workbook adds the year groups, and the hub's
    figures beside the national ones. `progress` is told the schools done of all of them (a
    workbook reads each school's year groups on its own). A hub's schools may be as known at
    `known_at`, as its page shows them."""
    metrics = _hub_metrics(reads, hub, as_of, withhold_below, known_at) if hub else None
    rows = metrics.school_rows if metrics else reads.school_rows(as_of)
    export = Export(HEADER, school_rows(rows, as_of))
    progress(0 if workbook else len(rows), len(rows))
    if not workbook:
        return export
    statuses = []
    for row in rows:
        statuses.append(_status(reads, row.urn, as_of, withhold_below, known_at))
        progress(len(statuses), len(rows))
    more = [Sheet(BY_YEAR_GROUP, YEAR_GROUP_HEADER, year_group_rows(statuses, as_of))]
    if metrics:
        more.append(Sheet(HUB_VS_NATIONAL, METRICS_HEADER, metric_rows(metrics)))
    return Export(export.header, export.rows, tuple(more))


def metrics_export(reads: Reads, hub: str, as_of: date, withhold_below: int | None) -> Export:
    """A hub's figures, one a row, with the national and non-hub ones beside each."""
    return Export(METRICS_HEADER, metric_rows(_hub_metrics(reads, hub, as_of, withhold_below)))


def employers_export(figures: Any) -> Export:
    """The employers of an engagement answer (projections/engagement.py), one a row, as the
    caller may see them: a hub's copy has its low counts of placements withheld already."""
    return Export(EMPLOYER_HEADER, employer_rows(figures.employers))


def _hub_metrics(
    reads: Reads,
    hub: str,
    as_of: date,
    withhold_below: int | None,
    known_at: datetime | None = None,
):
    metrics = reads.hub_metrics(hub, as_of, known_at)
    if withhold_below is None:
        return metrics
    return small_numbers.hub_metrics(metrics, withhold_below)


def _status(
    reads: Reads,
    urn: str,
    as_of: date,
    withhold_below: int | None,
    known_at: datetime | None = None,
):
    status = reads.school_status(urn, as_of=as_of, known_at=known_at)
    if withhold_below is None:
        return status
    return small_numbers.school_status(status, withhold_below)
