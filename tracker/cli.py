"""The `tracker` command: one entry point for running, projecting, checking and administering."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from tracker.config import database_url, small_number_threshold


def _app():
    from tracker.application import Tracker

    return Tracker.from_url(database_url(), os.environ.get("CIPHER_KEY"))


def _views():
    from projections.store import view_store_for

    store = view_store_for(database_url(), os.environ.get("VIEWS_DATABASE_URL"))
    store.create_tables()
    return store


def cmd_init(args) -> int:
    """Create the event store and the view tables."""
    app, store = _app(), _views()
    print(f"event store ready at position {app.recorder.max_notification_id() or 0}; views at {store.position()}")
    return 0


def cmd_project(args) -> int:
    """Keep the views up to date with the event log (forever, or --once to catch up and exit)."""
    from projections.runner import Runner

    if args.once:
        app, store = _app(), _views()
        print(f"applied {Runner(app, store, page_size=args.page_size).catch_up()} events; "
              f"views at position {store.position()}")
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    started = _once_reachable(lambda: (_app(), _views()), stop, args.poll)
    if started is None:  # stopped before the store came back
        return 0
    app, store = started
    runner = Runner(app, store, page_size=args.page_size)
    runner.run_forever(stop, _waker(app), poll_seconds=args.poll)
    return 0


def _once_reachable(start, stop: threading.Event, poll_seconds: float):
    """What `start` returns once the store answers: a worker restarted while the database is still
    away (after a crash, by its supervisor) waits for it, as a running worker does, instead of exiting."""
    from adapters import unavailable_errors

    pause = max(poll_seconds, 0.5)  # a short poll suits a running worker, not reconnecting
    while not stop.is_set():
        try:
            return start()
        except unavailable_errors() as problem:
            print(f"store unavailable at start ({type(problem).__name__}); retrying in {pause}s",
                  file=sys.stderr, flush=True)
            stop.wait(pause)
    return None


def _waker(app):
    url = database_url()
    if url.startswith(("postgresql://", "postgres://")):
        from projections.wake import postgres_waker

        return postgres_waker(url.split("?", 1)[0], app.recorder.channel_name)
    return None


def cmd_rebuild(args) -> int:
    """Build fresh views from the whole log beside the live ones, then swap them in."""
    from projections.rebuild import rebuild

    print(f"rebuilt views at position {rebuild(_app(), _views())}")
    return 0


def cmd_verify(args) -> int:
    """Rebuild into scratch tables and report every difference from the live views."""
    from projections.rebuild import verify

    differences = verify(_app(), _views())
    for difference in differences:
        print(f"{difference.table}: {difference.only_live} rows only live, {difference.only_rebuilt} only rebuilt")
        for example in difference.examples:
            print(f"  {example}")
    print("views agree with the log" if not differences else f"{len(differences)} tables differ")
    return 1 if differences else 0


def cmd_token_create(args) -> int:
    """Issue a token for a scope; it is shown once and stored only as a hash."""
    from tracker.domain.base import Caller
    from tracker.usecases.access import expiry_date

    app = _app()
    expires_on = expiry_date(args.expires, app.today()) if args.expires else None
    token, written = app.issue_token(args.scope, args.subject, args.note or "", expires_on=expires_on,
                                     caller=Caller("cli"))
    print(json.dumps({"id": written.id, "scope": args.scope, "subject": args.subject, "token": token,
                      "expires_on": expires_on and expires_on.isoformat()}))
    return 0


def cmd_token_revoke(args) -> int:
    """Revoke a token by its id."""
    from tracker.domain.base import Caller

    _app().revoke_token(args.id, args.reason, caller=Caller("cli"))
    print(f"revoked {args.id}")
    return 0


def cmd_token_list(args) -> int:
    """List tokens with their scopes, who issued them and when (never the tokens themselves)."""
    from projections.runner import Runner

    app, store = _app(), _views()
    Runner(app, store).catch_up()
    columns = ("id", "scope", "subject", "issued_at", "issued_by", "revoked_at", "expires_on")
    for row in store.query(f"SELECT {', '.join(columns)} FROM {{tokens}} ORDER BY issued_at"):
        print(json.dumps(dict(zip(columns, row)), default=str))
    return 0


def cmd_events(args) -> int:
    """Print the event log, optionally for one pupil, one school or a range of positions."""
    from projections import records
    from projections.runner import Runner

    app, store = _app(), _views()
    Runner(app, store).catch_up()
    after = args.start - 1
    while True:
        page = records.audit_events(store, app, after, 500, school=args.school, upn=args.upn)
        for item in page.items:
            if args.stop and item["position"] > args.stop:
                return 0
            print(json.dumps(item, default=str))
        if page.next is None:
            return 0
        after = int(page.next)


def cmd_rollover(args) -> int:
    """Record who leaves at the start of an academic year: pupils past their school's last year group.
    Run again, it finds nobody left to record and stores nothing."""
    from tracker.calendar import AcademicYear

    app = _app()
    year = args.year or str(AcademicYear.containing(app.today()))
    for urn in args.school or _registered_schools(app):
        if args.dry_run:
            plan = app.rollover_leavers(urn, year)
            print(f"{urn}: {len(plan.leavers)} would leave on {plan.left_on}"
                  + (f": {' '.join(plan.leavers)}" if plan.leavers else ""))
        else:
            written = app.roll_over(urn, year, caller=_cli_caller())
            print(f"{urn}: {len(written.id.split())} left on {AcademicYear.parse(year).previous().end}")
    return 0


def _registered_schools(app) -> list[str]:
    from projections.metrics import registered_schools
    from projections.runner import Runner

    store = _views()
    Runner(app, store).catch_up()
    return registered_schools(store)


# The demo's views are built in one go from some 230,000 events: pages this size take a tenth
# less time than the worker's 5,000 (a pupil touched in several events of a page is written once)
# for about 150 MiB more memory at the peak.
DEMO_PAGE_SIZE = 50_000


def cmd_demo(args) -> int:
    """Build the demo hub from the real register: Worcestershire's schools, synthetic pupils, three years of activity."""
    from rich.progress import Progress

    from projections.runner import Runner
    from tracker.demo import build_demo, establishments, sole_writer

    app, store = sole_writer(database_url(), os.environ.get("CIPHER_KEY")), _views()
    if args.if_empty and (app.recorder.max_notification_id() or 0) > 0:
        print("the store already holds events; leaving it as it is")
        return 0
    with Progress() as progress:
        hub, outside = tuple(args.la), tuple(args.outside)
        task = progress.add_task("schools", total=len(establishments(hub + outside)))
        with app.recorder.bulk_loading():
            totals = build_demo(app, hub, outside=outside, progress=lambda name, pupils: progress.advance(task))
        views = progress.add_task("views", total=app.recorder.max_notification_id())
        runner = Runner(app, store, page_size=DEMO_PAGE_SIZE)
        while (applied := runner.catch_up(until=store.position() + DEMO_PAGE_SIZE)) > 0:
            progress.advance(views, applied)
    print(f"demo hub WORCS: {totals['hub_schools']} schools in the hub and {totals['schools'] - totals['hub_schools']} "
          f"outside it, {totals['pupils']} pupils, {totals['activities']} activities")
    token, _ = app.issue_token("admin", "demo admin", "made by tracker demo")
    hub_token, _ = app.issue_token("hub:WORCS", "demo hub lead", "made by tracker demo")
    print(f"admin token: {token}\nhub lead token: {hub_token}")
    return 0


def cmd_serve(args) -> int:
    """Serve the API and dashboard (embedded: projections kept up to date in-process)."""
    from api.server import secret_key, serve

    # One signing key for every worker (and, beside a SQLite store, every restart), so a dashboard
    # session survives whichever worker answers.
    os.environ["SECRET_KEY"] = secret_key(database_url())
    print(f"serving on http://{args.bind} (API docs at /api/docs)")
    serve(args.bind, args.workers, args.threads)
    return 0


def cmd_import_pupils(args) -> int:
    """Enrol pupils from a CSV (ours or an MIS export); every refused row is reported with its line."""
    from tracker.imports import import_pupils

    report = import_pupils(_app(), args.school, Path(args.file).read_bytes(), caller=_cli_caller(),
                           exported_on=args.exported_on, full_roll=args.full_roll, dry_run=args.dry_run,
                           apply_good_rows=args.apply_good_rows)
    for refused in report.rejected:
        for field, reasons in refused["reasons"].items():
            print(f"line {refused['line']}: {field}: {'; '.join(reasons)}")
    if args.full_roll:
        print(f"not in the file, so leaving on {report.left_on}: {' '.join(report.leavers) or 'nobody'}")
    would = "would be " if args.dry_run else "" if report.applied else "(nothing changed: refused rows) "
    print(f"{would}{report.accepted} enrolled, {report.changed} changed, {report.unchanged} unchanged, "
          f"{len(report.rejected)} refused" + (f", {len(report.leavers)} left" if args.full_roll else ""))
    return 1 if report.rejected else 0


def cmd_export(args) -> int:
    """Write school status (one row per school) for a hub or every school, as CSV or XLSX, on any date."""
    from datetime import date as Date

    from projections.metrics import hub_members
    from projections.queries import Reads
    from projections.runner import Runner
    from tracker.exports import HEADER, school_rows, write

    app, store = _app(), _views()
    Runner(app, store).catch_up()
    as_of = Date.fromisoformat(args.as_of) if args.as_of else Date.today()
    reads = Reads(app, store)
    if args.metrics:
        return _export_hub_metrics(reads, args.hub, as_of, Path(args.output), args.exact)
    if args.hub and not args.exact:
        return _export_hub_rows(reads, args.hub, as_of, Path(args.output))
    members = hub_members(store, args.hub, as_of) if args.hub else None
    figures = reads.figures_by_school(as_of, members)
    rows = school_rows(({"urn": f.urn, "name": f.name, "type": f.type, "benchmarks_achieved": f.benchmarks_achieved,
                         "benchmarks": [b.as_dict() for b in f.benchmarks.values()]} for f in figures.values()), as_of)
    write(Path(args.output), HEADER, rows)
    print(f"wrote {len(rows)} schools to {args.output}")
    return 0


def _export_hub_rows(reads, hub: str, as_of, output: Path) -> int:
    """The copy for the Hub Lead: each member school as the hub's own token reads it, small counts withheld."""
    from tracker.exports import HEADER, school_rows, write

    if (metrics := reads.hub_metrics(hub, as_of)) is None:
        print(f"no hub {hub!r}", file=sys.stderr)
        return 2
    rows = school_rows(_for_hub(metrics)["school_rows"], as_of)
    write(output, HEADER, rows)
    print(f"wrote {len(rows)} schools to {output}, counts of fewer than {small_number_threshold()} pupils "
          "withheld (--exact for every count)")
    return 0


def _export_hub_metrics(reads, hub: str | None, as_of, output: Path, exact: bool = False) -> int:
    from tracker.exports import METRICS_HEADER, metric_rows, write

    metrics = reads.hub_metrics(hub, as_of) if hub else None
    if metrics is None:
        print(f"--metrics needs the code of a hub that exists (--hub), got {hub!r}", file=sys.stderr)
        return 2
    rows = metric_rows(metrics if exact else _for_hub(metrics))
    write(output, METRICS_HEADER, rows)
    print(f"wrote {len(rows)} figures for hub {hub} to {output}")
    return 0


def _for_hub(metrics: dict) -> dict:
    from projections.small_numbers import hub_metrics

    return hub_metrics(metrics, small_number_threshold())


def cmd_erase(args) -> int:
    """Erase a leaver's name and date of birth for good, at the request of a school that held them."""
    written = _app().erase_pupil(args.upn, args.requested_by, args.reason, caller=_cli_caller())
    print(f"the identity of {args.upn} is erased; the log is at position {written.position}")
    return 0


def cmd_retention(args) -> int:
    """Erase the identities of pupils who left RETENTION_YEARS (default 6) years ago or more; --dry-run lists them."""
    from projections import records
    from projections.runner import Runner
    from tracker.config import retention_years
    from tracker.errors import TrackerError
    from tracker.usecases.erasure import years_before

    app, store = _app(), _views()
    Runner(app, store).catch_up()
    years = retention_years({"RETENTION_YEARS": str(args.years)} if args.years is not None else None)
    due, refused = records.leavers_by(store, years_before(app.today(), years)), 0
    for upn, left_on in due:
        try:
            if not args.dry_run:
                app.erase_after_retention(upn, years, caller=_cli_caller())
            print(f"{upn} left on {left_on}: {'would be erased' if args.dry_run else 'erased'}")
        except TrackerError as kept:
            refused += 1
            print(f"{upn} left on {left_on}: kept: {kept.message}")
    swept = app.sweep_keys(records.erased_upns(store), dry_run=args.dry_run)
    if not args.dry_run:
        app.recorder.compact_keys()  # what erased keys left in the table's files goes too
    print(f"{len(due) - refused} {'to erase' if args.dry_run else 'erased'} (kept {years} years after leaving), "
          f"{refused} refused; {len(swept)} keys of pupils erased earlier {'still held' if args.dry_run else 'destroyed'}")
    return 1 if refused else 0


def cmd_migrate_identities(args) -> int:
    """Seal names and dates of birth stored in the clear by older versions, each under a new key of its
    pupil's own; then rebuild the views and compact the store so no copy in the clear is left."""
    from projections.rebuild import rebuild
    from tracker.migration import migrate_identities

    app = _app()
    report = migrate_identities(app, args.dry_run, args.batch_size,
                                progress=lambda r: print(f"{r.examined} events with an identity read, "
                                                         f"{r.in_the_clear} in the clear, {r.sealed} sealed",
                                                         file=sys.stderr))
    print(f"{report.examined} events with an identity, {report.in_the_clear} in the clear, {report.sealed} sealed")
    if args.dry_run:
        return 0
    store = _views()
    print(f"rebuilt views at position {rebuild(app, store)}")
    if not args.no_compact:
        app.recorder.compact()
        store.compact()
        print("event store and views compacted")
    return 0


def _cli_caller():
    from tracker.domain.base import Caller

    return Caller(f"cli:{os.environ.get('USER', 'unknown')}")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="tracker", description="Careers Hub Tracker")
    commands = top.add_subparsers(dest="command", required=True)
    _add(commands, "init", cmd_init)
    demo = _add(commands, "demo", cmd_demo)
    demo.add_argument("--if-empty", action="store_true", help="do nothing if the store already holds events")
    demo.add_argument("--la", action="append", default=None, help="local authority codes of the hub's schools (default 885)")
    demo.add_argument("--outside", action="append", default=None,
                      help="local authority codes of schools outside the hub, for the non-hub figures (default 884)")
    serve = _add(commands, "serve", cmd_serve)
    serve.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--threads", type=int, default=4)
    project = _add(commands, "project", cmd_project)
    project.add_argument("--once", action="store_true", help="catch up and exit")
    project.add_argument("--page-size", type=int, default=1000, help="events applied per transaction")
    project.add_argument("--poll", type=float, default=1.0, help="seconds between polls when idle")
    imports = _add(commands, "import-pupils", cmd_import_pupils)
    imports.add_argument("file", help="CSV: our columns or an MIS export's (UTF-8 with or without BOM, or Windows-1252)")
    imports.add_argument("--school", required=True, help="the school's URN")
    imports.add_argument("--exported-on", type=_iso_date, default=None,
                         help="YYYY-MM-DD: the day the MIS made the file; its NC Year is the year group then "
                              "(default today)")
    imports.add_argument("--full-roll", action="store_true",
                         help="the file is the school's whole roll: pupils on roll but not in it leave the day before "
                              "the export; all or nothing if any row is refused")
    imports.add_argument("--dry-run", action="store_true", help="say what the import would do; store nothing")
    imports.add_argument("--apply-good-rows", action="store_true",
                         help="with --full-roll: apply the good rows even though some are refused")
    rollover = _add(commands, "rollover", cmd_rollover)
    rollover.add_argument("--year", help="the academic year starting, e.g. 2027/28 (default: the one containing today)")
    rollover.add_argument("--school", action="append", help="only this school's URN (repeatable; default every school)")
    rollover.add_argument("--dry-run", action="store_true", help="list who would leave; store nothing")
    export = _add(commands, "export", cmd_export)
    export.add_argument("output", help="a .csv or .xlsx path")
    export.add_argument("--hub", help="only this hub's member schools on the date")
    export.add_argument("--as-of", help="YYYY-MM-DD (default today)")
    export.add_argument("--metrics", action="store_true",
                        help="the hub's metrics (one figure a row, beside national and non-hub) instead of school rows")
    export.add_argument("--exact", action="store_true",
                        help="with --hub: every count exact (by default counts of fewer than SMALL_NUMBER_THRESHOLD "
                             "pupils, and figures that would give them away, are withheld, as the Hub Lead's "
                             "token sees them)")
    _add(commands, "rebuild", cmd_rebuild)
    _add(commands, "verify", cmd_verify)
    token = _add(commands, "token", None, "Create, list and revoke access tokens.")
    tokens = token.add_subparsers(dest="token_command", required=True)
    create = _add(tokens, "create", cmd_token_create)
    create.add_argument("--scope", required=True, help="admin, auditor, school:<URN> or hub:<CODE>")
    create.add_argument("--subject", required=True, help="who the token is for (recorded on every event)")
    create.add_argument("--note", help="why it was issued")
    create.add_argument("--expires", help="the first day the token no longer works (YYYY-MM-DD), or a number "
                                          "of days from today (90d); default: until revoked")
    _add(tokens, "list", cmd_token_list)
    revoke = _add(tokens, "revoke", cmd_token_revoke)
    revoke.add_argument("id")
    revoke.add_argument("--reason", required=True)
    erase = _add(commands, "erase", cmd_erase)
    erase.add_argument("upn")
    erase.add_argument("--requested-by", required=True, help="URN of the school that holds or held the pupil")
    erase.add_argument("--reason", required=True)
    retention = _add(commands, "retention", cmd_retention)
    retention.add_argument("--dry-run", action="store_true", help="list who would be erased; erase nobody")
    retention.add_argument("--years", type=int, help="years kept after leaving (default RETENTION_YEARS, or 6)")
    migrate = _add(commands, "migrate-identities", cmd_migrate_identities)
    migrate.add_argument("--dry-run", action="store_true", help="count the identities in the clear; change nothing")
    migrate.add_argument("--batch-size", type=int, default=1000, help="events sealed per transaction")
    migrate.add_argument("--no-compact", action="store_true",
                         help="skip rewriting the store's files afterwards (PostgreSQL: VACUUM FULL locks the log)")
    events = _add(commands, "events", cmd_events)
    events.add_argument("--upn")
    events.add_argument("--school")
    events.add_argument("--start", type=int, default=1)
    events.add_argument("--stop", type=int)
    return top


def _iso_date(text: str):
    """An argparse type: a bad date is a usage error naming it, not a traceback."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _add(commands: Any, name: str, handler, help_text: str | None = None) -> argparse.ArgumentParser:
    doc = help_text or (handler.__doc__ if handler else "")
    command = commands.add_parser(name, help=doc, description=doc)
    command.set_defaults(handler=handler)
    return command


def main(argv: list[str] | None = None) -> int:
    from tracker.errors import TrackerError

    args = parser().parse_args(argv)
    if getattr(args, "la", "unset") is None:
        args.la = ["885"]
    if getattr(args, "outside", "unset") is None:
        args.outside = ["884"]  # Herefordshire, Worcestershire's neighbour
    try:
        return args.handler(args)
    except TrackerError as refused:
        print(f"error: {refused.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
