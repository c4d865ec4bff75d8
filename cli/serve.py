"""Commands that run the whole system: serve the API and dashboard, build the demo hub."""

from __future__ import annotations

import os

from cli.common import open_views
from tracker.config import database_url

# The demo's views are built in one go from some 230,000 events: pages this size take a tenth
# less time than the worker's 5,000 (a pupil touched in several events of a page is written
# once) for about 150 MiB more memory at the peak.
DEMO_PAGE_SIZE = 50_000


def cmd_demo(args) -> int:
    """Build the demo hub from the real register: Worcestershire's schools, synthetic pupils,
    three years of activity."""
    from rich.progress import Progress

    from projections.runner import Runner
    from tracker.demo import build_demo, establishments, sole_writer

    app, store = sole_writer(database_url(), os.environ.get("CIPHER_KEY")), open_views()
    if args.if_empty and (app.recorder.max_notification_id() or 0) > 0:
        print("the store already holds events; leaving it as it is")
        return 0
    with Progress() as progress:
        hub, outside = tuple(args.la), tuple(args.outside)
        task = progress.add_task("schools", total=len(establishments(hub + outside)))
        with app.recorder.bulk_loading():
            totals = build_demo(
                app, hub, outside=outside, progress=lambda name, pupils: progress.advance(task)
            )
        # Before the views catch up, so they hold the accounts too; shown last, once.
        people = _make_demo_people(app, hub)
        views = progress.add_task("views", total=app.recorder.max_notification_id())
        runner = Runner(app, store, page_size=DEMO_PAGE_SIZE)
        while (applied := runner.catch_up(until=store.position() + DEMO_PAGE_SIZE)) > 0:
            progress.advance(views, applied)
    print(
        f"demo hub WORCS: {totals['hub_schools']} schools in the hub and "
        f"{totals['schools'] - totals['hub_schools']} outside it, {totals['pupils']} pupils, "
        f"{totals['activities']} activities"
    )
    token, _ = app.issue_token("admin", "demo admin", "made by tracker demo")
    hub_token, _ = app.issue_token("hub:WORCS", "demo hub lead", "made by tracker demo")
    print(f"admin token: {token}\nhub lead token: {hub_token}")
    for role, email, password in people:  # shown once, like the tokens: only hashes are kept
        print(f"{role} account: {email} password {password}")
    return 0


def _make_demo_people(app, hub_las: tuple[str, ...]) -> list[tuple[str, str, str]]:
    from cli.people import make_demo_people
    from tracker.demo import establishments

    members = (e.urn for e in establishments(hub_las) if app.hub_of_school_now(e.urn) == "WORCS")
    return make_demo_people(app, next(members))


def cmd_serve(args) -> int:
    """Serve the API and dashboard (embedded: projections kept up to date in-process)."""
    from api.server import secret_key, serve

    # One signing key for every worker (and, beside a SQLite store, every restart), so a
    # dashboard session survives whichever worker answers.
    os.environ["SECRET_KEY"] = secret_key(database_url())
    print(f"serving on http://{args.bind} (API docs at /api/docs)")
    serve(args.bind, args.workers, args.threads)
    return 0
