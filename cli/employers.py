"""The export-employers command: a hub's (or every school's) employers in a year, one a row, as
CSV or XLSX."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from cli.common import caught_up_views, open_app


def cmd_export_employers(args) -> int:
    """Write the employers engaged in an academic year, for a hub's member schools or every
    school, one employer a row: counts of encounters, schools and placements (no pupils)."""
    from projections.engagement import engagement
    from projections.export_sheets import employers_export
    from projections.metrics import hub_members
    from tracker.calendar import AcademicYear, default_as_of
    from tracker.exports import write

    store = caught_up_views(open_app())
    year = AcademicYear.parse(args.year) if args.year else AcademicYear.containing(date.today())
    as_of = date.fromisoformat(args.as_of) if args.as_of else default_as_of(year, date.today())
    schools = hub_members(store, args.hub, as_of) if args.hub else None
    if args.hub and not schools:
        print(f"hub {args.hub!r} has no member schools on {as_of}", file=sys.stderr)
        return 2
    export = employers_export(engagement(store, schools, year, as_of))
    write(Path(args.output), export.header, export.rows)
    print(f"wrote {len(export.rows)} employers to {args.output}")
    return 0


def add_export_employers(commands: Any, add) -> None:
    export = add(commands, "export-employers", cmd_export_employers)
    export.add_argument("output", help="a .csv or .xlsx path")
    export.add_argument("--hub", help="only this hub's member schools on the date")
    export.add_argument("--year", help="the academic year, e.g. 2018/19 (default: this one)")
    export.add_argument("--as-of", help="YYYY-MM-DD (default: as far into the year as today)")
