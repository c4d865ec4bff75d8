"""The export command: school status, one row per school, or a hub's metrics, as CSV or XLSX.
What cannot be exported (an unknown hub, another kind of file, a folder that is not there) is
refused with a message and exit status 2 before anything is written."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from cli.common import caught_up_views, open_app
from cli.progress import progress
from tracker.config import small_number_threshold

REFUSED = 2


def cmd_export(args) -> int:
    """Write school status (one row per school) for a hub or every school, or a hub's metrics, as
    CSV or XLSX, on any date."""
    from projections.queries import Reads
    from tracker.exports import refusal_for

    output = Path(args.output)
    if (refusal := refusal_for(output)) or (refusal := _needs_hub(args)):
        return _refuse(refusal)
    app = open_app()
    with progress("export") as step:
        reads = Reads(app, caught_up_views(app, step))
        if args.hub and reads.hub(args.hub) is None:
            return _refuse(f"no hub {args.hub!r}: give the code of a hub that exists")
        as_of = args.as_of or date.today()
        withhold_below = None if args.exact or not args.hub else small_number_threshold()
        written = _write(reads, args, output, as_of, withhold_below, step)
    print(_said(args, written, output, withhold_below))
    return 0


def _needs_hub(args) -> str | None:
    if args.metrics and not args.hub:
        return "--metrics needs the code of a hub that exists (--hub)"
    return None


def _write(reads, args, output: Path, as_of: date, withhold_below: int | None, step) -> int:
    from projections.export_sheets import metrics_export, schools_export
    from tracker.exports import write

    if args.metrics:
        export = metrics_export(reads, args.hub, as_of, withhold_below)
    else:
        workbook = output.suffix.lower() == ".xlsx"
        schools_done = lambda done, of: step("schools", done, of)  # noqa: E731
        export = schools_export(reads, as_of, args.hub, withhold_below, workbook, schools_done)
    write(output, export.header, export.rows, export.more)
    return len(export.rows)


def _said(args, written: int, output: Path, withhold_below: int | None) -> str:
    if args.metrics:
        return f"wrote {written} figures for hub {args.hub} to {output}"
    said = f"wrote {written} schools to {output}"
    if withhold_below is not None:
        said += f", counts of fewer than {withhold_below} pupils withheld (--exact for every count)"
    return said


def _refuse(refusal: str) -> int:
    print(f"tracker export: {refusal}", file=sys.stderr)
    return REFUSED
