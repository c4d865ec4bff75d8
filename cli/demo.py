"""The demo command: the Worcestershire hub built from the real register, and how to sign in to
it, printed on the first run and again on every run after (`make run` runs it each time)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cli.common import open_views
from cli.progress import counting, progress
from tracker.config import database_url

# The demo's views are built in one go from some 230,000 events: pages this size take a tenth
# less time than the worker's 5,000 (a pupil touched in several events of a page is written
# once) for about 150 MiB more memory at the peak.
DEMO_PAGE_SIZE = 50_000


def cmd_demo(args) -> int:
    """Build the demo hub from the real register: Worcestershire's schools, synthetic pupils,
    three years of activity."""
    from tracker.demo import sole_writer

    app, store = sole_writer(database_url(), os.environ.get("CIPHER_KEY")), open_views()
    if args.if_empty and (app.recorder.max_notification_id() or 0) > 0:
        print("the store already holds events; leaving it as it is")
        _print_kept_sign_in()
        return 0
    with progress("demo") as step:
        totals, people = _build(app, store, tuple(args.la), tuple(args.outside), step)
    print(
        f"demo hub WORCS: {totals['hub_schools']} schools in the hub and "
        f"{totals['schools'] - totals['hub_schools']} outside it, {totals['pupils']} pupils, "
        f"{totals['activities']} activities"
    )
    token, _ = app.issue_token("admin", "demo admin", "made by tracker demo")
    hub_token, _ = app.issue_token("hub:WORCS", "demo hub lead", "made by tracker demo")
    lines = [f"admin token: {token}", f"hub lead token: {hub_token}"]
    lines += [f"{role} account: {email} password {password}" for role, email, password in people]
    print("\n".join([_sign_in_at(), *lines]))
    _keep_sign_in(lines)
    return 0


def _build(app, store, hub: tuple[str, ...], outside: tuple[str, ...], step):
    from projections.runner import Runner
    from tracker.demo import build_demo, establishments

    school_done = counting(step, "schools", len(establishments(hub + outside)))
    with app.recorder.bulk_loading():
        totals = build_demo(app, hub, outside=outside, progress=lambda name, pupils: school_done())
    # Before the views catch up, so they hold the accounts too; shown last, once.
    people = _make_demo_people(app, hub)
    events = app.recorder.max_notification_id()
    Runner(app, store, page_size=DEMO_PAGE_SIZE).catch_up(
        progress=lambda applied: step("events", applied, events)
    )
    return totals, people


def _make_demo_people(app, hub_las: tuple[str, ...]) -> list[tuple[str, str, str]]:
    from cli.people import make_demo_people
    from tracker.demo import establishments

    members = (e.urn for e in establishments(hub_las) if app.hub_of_school_now(e.urn) == "WORCS")
    return make_demo_people(app, next(members))


def _sign_in_at() -> str:
    from cli.people import public_url

    return f"sign in at {public_url()}/dashboard/ with a token or an account below"


def sign_in_file() -> Path | None:
    """Where a SQLite demo keeps its sign-in lines, beside the store (as its signing key is);
    None for any other store."""
    parts = urlsplit(database_url())
    path = unquote(parts.path[1:])
    if parts.scheme != "sqlite" or not path or path == ":memory:":
        return None
    return Path(f"{path}-demo-sign-in")


def _keep_sign_in(lines: list[str]) -> None:
    """The store keeps only hashes of the tokens and passwords, so the demo's own are kept here,
    readable by their owner only, for the next `make run` to print again."""
    if (path := sign_in_file()) is None:
        return
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write("\n".join(lines) + "\n")


def _print_kept_sign_in() -> None:
    path = sign_in_file()
    if path is None or not path.is_file():
        print(
            "its sign-in tokens and passwords were shown when it was built and are not kept; "
            "make a token with: tracker token create --scope admin --subject YOU"
        )
        return
    print(f"{_sign_in_at()} (as printed when the demo was built; a password changed since is not)")
    print(path.read_text().rstrip("\n"))
