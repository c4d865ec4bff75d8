"""Commands over schools' rolls and pupils: the September rollover, importing a roll from a CSV,
and erasing identities, on request or after the retention period."""

from __future__ import annotations

from pathlib import Path

from cli.common import caught_up_views, cli_caller, open_app
from cli.progress import progress


def cmd_rollover(args) -> int:
    """Record who leaves at the start of an academic year: pupils past their school's last year
    group. Run again, it finds nobody left to record and stores nothing."""
    from tracker.calendar import AcademicYear

    app = open_app()
    year = args.year or str(AcademicYear.containing(app.today()))
    for urn in args.school or _registered_schools(app):
        if args.dry_run:
            plan = app.rollover_leavers(urn, year)
            print(
                f"{urn}: {len(plan.leavers)} would leave on {plan.left_on}"
                + (f": {' '.join(plan.leavers)}" if plan.leavers else "")
            )
        else:
            written = app.roll_over(urn, year, caller=cli_caller())
            print(
                f"{urn}: {len(written.id.split())} left on "
                f"{AcademicYear.parse(year).previous().end}"
            )
    return 0


def _registered_schools(app) -> list[str]:
    from projections.metrics import registered_schools

    return registered_schools(caught_up_views(app))


def cmd_import_pupils(args) -> int:
    """Enrol pupils from a CSV (ours or an MIS export); every refused row is reported with its
    line."""
    from tracker.imports import import_pupils

    with progress("import-pupils") as step:
        report = import_pupils(
            open_app(),
            args.school,
            Path(args.file).read_bytes(),
            caller=cli_caller(),
            exported_on=args.exported_on,
            full_roll=args.full_roll,
            dry_run=args.dry_run,
            apply_good_rows=args.apply_good_rows,
            progress=step,
        )
    for refused in report.rejected:
        for field, reasons in refused["reasons"].items():
            print(f"line {refused['line']}: {field}: {'; '.join(reasons)}")
    if args.full_roll:
        print(
            f"not in the file, so leaving on {report.left_on}: "
            f"{' '.join(report.leavers) or 'nobody'}"
        )
    would = (
        "would be "
        if args.dry_run
        else ""
        if report.applied
        else "(nothing changed: refused rows) "
    )
    print(
        f"{would}{report.accepted} enrolled, {report.changed} changed, "
        f"{report.unchanged} unchanged, {len(report.rejected)} refused"
        + (f", {len(report.leavers)} left" if args.full_roll else "")
    )
    return 1 if report.rejected else 0


def cmd_erase(args) -> int:
    """Erase a leaver's name and date of birth for good, at the request of a school that held
    them."""
    written = open_app().erase_pupil(args.upn, args.requested_by, args.reason, caller=cli_caller())
    print(f"the identity of {args.upn} is erased; the log is at position {written.position}")
    return 0


def cmd_retention(args) -> int:
    """Erase the identities of pupils who left RETENTION_YEARS (default 6) years ago or more;
    --dry-run lists them."""
    from projections import records
    from tracker.config import retention_years
    from tracker.errors import TrackerError
    from tracker.usecases.erasure import years_before

    app = open_app()
    store = caught_up_views(app)
    years = retention_years(
        {"RETENTION_YEARS": str(args.years)} if args.years is not None else None
    )
    due, refused = records.leavers_by(store, years_before(app.today(), years)), 0
    for upn, left_on in due:
        try:
            if not args.dry_run:
                app.erase_after_retention(upn, years, caller=cli_caller())
            print(f"{upn} left on {left_on}: {'would be erased' if args.dry_run else 'erased'}")
        except TrackerError as kept:
            refused += 1
            print(f"{upn} left on {left_on}: kept: {kept.message}")
    swept = app.sweep_keys(records.erased_upns(store), dry_run=args.dry_run)
    if not args.dry_run:
        app.recorder.compact_keys()  # what erased keys left in the table's files goes too
    print(
        f"{len(due) - refused} {'to erase' if args.dry_run else 'erased'} "
        f"(kept {years} years after leaving), {refused} refused; {len(swept)} keys of pupils "
        f"erased earlier {'still held' if args.dry_run else 'destroyed'}"
    )
    return 1 if refused else 0
