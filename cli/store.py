"""Commands over the event store and the views: create them, keep the views up to date, rebuild
and verify them, read the log, and seal identities stored in the clear by older versions."""

from __future__ import annotations

import json
import signal
import sys
import threading

from cli.common import caught_up_views, open_app, open_views
from cli.progress import progress
from tracker.config import database_url


def cmd_init(args) -> int:
    """Create the event store and the view tables."""
    app, store = open_app(), open_views()
    print(
        f"event store ready at position {app.recorder.max_notification_id() or 0}; "
        f"views at {store.position()}"
    )
    return 0


def cmd_project(args) -> int:
    """Keep the views up to date with the event log (forever, or --once to catch up and exit)."""
    from projections.runner import GATHER_SECONDS, Runner

    if args.once:
        app, store = open_app(), open_views()
        print(
            f"applied {Runner(app, store, page_size=args.page_size).catch_up()} events; "
            f"views at position {store.position()}"
        )
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    started = once_reachable(lambda: (open_app(), open_views()), stop, args.poll)
    if started is None:  # stopped before the store came back
        return 0
    app, store = started
    runner = Runner(app, store, page_size=args.page_size)
    runner.run_forever(
        stop,
        _waker(app),
        poll_seconds=args.poll,
        gather_seconds=GATHER_SECONDS if args.gather is None else args.gather,
    )
    return 0


def once_reachable(start, stop: threading.Event, poll_seconds: float):
    """What `start` returns once the store answers: a worker restarted while the database is
    still away (after a crash, by its supervisor) waits for it, as a running worker does,
    instead of exiting."""
    from adapters import unavailable_errors

    pause = max(poll_seconds, 0.5)  # a short poll suits a running worker, not reconnecting
    while not stop.is_set():
        try:
            return start()
        except unavailable_errors() as problem:
            print(
                f"store unavailable at start ({type(problem).__name__}); retrying in {pause}s",
                file=sys.stderr,
                flush=True,
            )
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

    with progress("rebuild") as step:
        position = rebuild(open_app(), open_views(), lambda done, of: step("events", done, of))
    print(f"rebuilt views at position {position}")
    return 0


def cmd_verify(args) -> int:
    """Rebuild into scratch tables and report every difference from the live views; with
    --known-at, compare the figures as known then with the log replayed up to then instead."""
    from projections.rebuild import verify

    if args.known_at is not None:
        return _verify_known_at(args)
    with progress("verify") as step:
        differences = verify(
            open_app(), open_views(), progress=lambda done, of: step("events", done, of)
        )
    for difference in differences:
        print(
            f"{difference.table}: {difference.only_live} rows only live, "
            f"{difference.only_rebuilt} only rebuilt"
        )
        for example in difference.examples:
            print(f"  {example}")
    print("views agree with the log" if not differences else f"{len(differences)} tables differ")
    return 1 if differences else 0


def _verify_known_at(args) -> int:
    from projections.known_check import known_at_differences

    app = open_app()
    as_of = args.as_of or args.known_at.date()
    position, differences = known_at_differences(
        app, caught_up_views(app), args.known_at, as_of, args.sample
    )
    for difference in differences:
        print(difference)
    print(
        f"as known at {args.known_at.isoformat()} (position {position}), on {as_of}: "
        + ("the views agree with the replay" if not differences else f"{len(differences)} differ")
    )
    return 1 if differences else 0


def cmd_events(args) -> int:
    """Print the event log, optionally for one pupil, one school or a range of positions."""
    from projections import records

    app = open_app()
    store = caught_up_views(app)
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


def cmd_migrate_identities(args) -> int:
    """Seal names and dates of birth stored in the clear by older versions, each under a new key of
    its pupil's own; then rebuild the views and compact the store so no copy in the clear is
    left."""
    from projections.rebuild import rebuild
    from tracker.migration import migrate_identities

    app = open_app()
    report = migrate_identities(app, args.dry_run, args.batch_size, progress=_progress)
    print(
        f"{report.examined} events with an identity, {report.in_the_clear} in the clear, "
        f"{report.sealed} sealed"
    )
    if args.dry_run:
        return 0
    store = open_views()
    print(f"rebuilt views at position {rebuild(app, store)}")
    if not args.no_compact:
        app.recorder.compact()
        store.compact()
        print("event store and views compacted")
    return 0


def _progress(report) -> None:
    print(
        f"{report.examined} events with an identity read, {report.in_the_clear} in the clear, "
        f"{report.sealed} sealed",
        file=sys.stderr,
    )
