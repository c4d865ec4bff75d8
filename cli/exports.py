"""The export command: school status, one row per school, or a hub's metrics, as CSV or XLSX."""

from __future__ import annotations

import sys
from pathlib import Path

from cli.common import caught_up_views, open_app
from tracker.config import small_number_threshold


def cmd_export(args) -> int:
    """Write school status (one row per school) for a hub or every school, as CSV or XLSX, on
    any date."""
    from datetime import date as Date

    from projections.metrics import hub_members
    from projections.queries import Reads
    from tracker.exports import HEADER, school_rows, write

    app = open_app()
    store = caught_up_views(app)
    as_of = Date.fromisoformat(args.as_of) if args.as_of else Date.today()
    reads = Reads(app, store)
    if args.metrics:
        return _export_hub_metrics(reads, args.hub, as_of, Path(args.output), args.exact)
    if args.hub and not args.exact:
        return _export_hub_rows(reads, args.hub, as_of, Path(args.output))
    members = hub_members(store, args.hub, as_of) if args.hub else None
    rows = school_rows(reads.school_rows(as_of, members), as_of)
    write(Path(args.output), HEADER, rows)
    print(f"wrote {len(rows)} schools to {args.output}")
    return 0


def _export_hub_rows(reads, hub: str, as_of, output: Path) -> int:
    """The copy for the Hub Lead: each member school as the hub's own token reads it, small
    counts withheld."""
    from tracker.exports import HEADER, school_rows, write

    if (metrics := reads.hub_metrics(hub, as_of)) is None:
        print(f"no hub {hub!r}", file=sys.stderr)
        return 2
    rows = school_rows(_for_hub(metrics).school_rows, as_of)
    write(output, HEADER, rows)
    print(
        f"wrote {len(rows)} schools to {output}, counts of fewer than "
        f"{small_number_threshold()} pupils withheld (--exact for every count)"
    )
    return 0


def _export_hub_metrics(reads, hub: str | None, as_of, output: Path, exact: bool = False) -> int:
    from tracker.exports import METRICS_HEADER, metric_rows, write

    metrics = reads.hub_metrics(hub, as_of) if hub else None
    if metrics is None:
        print(
            f"--metrics needs the code of a hub that exists (--hub), got {hub!r}", file=sys.stderr
        )
        return 2
    rows = metric_rows(metrics if exact else _for_hub(metrics))
    write(output, METRICS_HEADER, rows)
    print(f"wrote {len(rows)} figures for hub {hub} to {output}")
    return 0


def _for_hub(metrics):
    from projections.small_numbers import hub_metrics

    return hub_metrics(metrics, small_number_threshold())
