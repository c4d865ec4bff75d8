"""The `tracker` command line: each command, its options and the function that runs it; a
command's help is its function's docstring. Commands are listed in `tracker --help` in the order
they are added here."""

from __future__ import annotations

import argparse
import os
from datetime import date, datetime, timezone
from typing import Any

from cli.demo import cmd_demo
from cli.employers import add_export_employers
from cli.exports import cmd_export
from cli.people import cmd_invite
from cli.schools import cmd_erase, cmd_import_pupils, cmd_retention, cmd_rollover
from cli.serve import cmd_serve
from cli.store import (
    cmd_events,
    cmd_init,
    cmd_migrate_identities,
    cmd_project,
    cmd_rebuild,
    cmd_verify,
)
from cli.tokens import cmd_token_create, cmd_token_list, cmd_token_revoke


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="tracker", description="Careers Hub Tracker")
    commands = top.add_subparsers(dest="command", required=True)
    _add(commands, "init", cmd_init)
    _add_running(commands)
    _add_rolls(commands)
    _add_export(commands)
    add_export_employers(commands, _add)
    _add(commands, "rebuild", cmd_rebuild)
    _add_verify(commands)
    _add_tokens(commands)
    _add_invite(commands)
    _add_erasure(commands)
    _add_events(commands)
    return top


def _add_verify(commands: Any) -> None:
    verify = _add(commands, "verify", cmd_verify)
    verify.add_argument(
        "--known-at",
        type=_moment,
        help="a past time (ISO 8601): compare every hub's and a sample of schools' figures as "
        "known then with the log replayed up to then",
    )
    verify.add_argument(
        "--as-of", type=date.fromisoformat, help="the figures' date (default: the known-at day)"
    )
    verify.add_argument("--sample", type=int, default=20, help="schools compared (default 20)")


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _add_running(commands: Any) -> None:
    demo = _add(commands, "demo", cmd_demo)
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing if the store already holds events"
    )
    demo.add_argument(
        "--la",
        action="append",
        default=None,
        help="local authority codes of the hub's schools (default 885)",
    )
    demo.add_argument(
        "--outside",
        action="append",
        default=None,
        help="local authority codes of schools outside the hub, for the non-hub "
        "figures (default 884)",
    )
    serve = _add(commands, "serve", cmd_serve)
    serve.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--threads", type=int, default=4)
    project = _add(commands, "project", cmd_project)
    project.add_argument("--once", action="store_true", help="catch up and exit")
    project.add_argument(
        "--page-size", type=int, default=1000, help="events applied per transaction"
    )
    project.add_argument("--poll", type=float, default=1.0, help="seconds between polls when idle")
    project.add_argument(
        "--gather",
        type=float,
        help="while writes keep coming, seconds between the starts of pages (default "
        "projections.runner.GATHER_SECONDS; 0: a page per wake-up)",
    )


def _add_rolls(commands: Any) -> None:
    imports = _add(commands, "import-pupils", cmd_import_pupils)
    imports.add_argument(
        "file",
        help="CSV: our columns or an MIS export's (UTF-8 with or without BOM, or Windows-1252)",
    )
    imports.add_argument("--school", required=True, help="the school's URN")
    imports.add_argument(
        "--exported-on",
        type=_iso_date,
        default=None,
        help="YYYY-MM-DD: the day the MIS made the file; its NC Year is the "
        "year group then (default today)",
    )
    imports.add_argument(
        "--full-roll",
        action="store_true",
        help="the file is the school's whole roll: pupils on roll but not in it "
        "leave the day before the export; all or nothing if any row is "
        "refused",
    )
    imports.add_argument(
        "--dry-run", action="store_true", help="say what the import would do; store nothing"
    )
    imports.add_argument(
        "--apply-good-rows",
        action="store_true",
        help="with --full-roll: apply the good rows even though some are refused",
    )
    rollover = _add(commands, "rollover", cmd_rollover)
    rollover.add_argument(
        "--year",
        help="the academic year starting, e.g. 2027/28 (default: the one containing today)",
    )
    rollover.add_argument(
        "--school",
        action="append",
        help="only this school's URN (repeatable; default every school)",
    )
    rollover.add_argument(
        "--dry-run", action="store_true", help="list who would leave; store nothing"
    )


def _add_export(commands: Any) -> None:
    export = _add(commands, "export", cmd_export)
    export.add_argument("output", help="a .csv or .xlsx path")
    export.add_argument("--hub", help="only this hub's member schools on the date")
    export.add_argument(
        "--as-of", type=_calendar_date, help="YYYY-MM-DD, within the calendar (default today)"
    )
    export.add_argument(
        "--metrics",
        action="store_true",
        help="the hub's metrics (one figure a row, beside national and non-hub) "
        "instead of school rows",
    )
    export.add_argument(
        "--exact",
        action="store_true",
        help="with --hub: every count exact (by default counts of fewer than "
        "SMALL_NUMBER_THRESHOLD pupils, and figures that would give them "
        "away, are withheld, as the Hub Lead's token sees them)",
    )


def _add_tokens(commands: Any) -> None:
    token = _add(commands, "token", None, "Create, list and revoke access tokens.")
    tokens = token.add_subparsers(dest="token_command", required=True)
    create = _add(tokens, "create", cmd_token_create)
    create.add_argument("--scope", required=True, help="admin, auditor, school:<URN> or hub:<CODE>")
    create.add_argument(
        "--subject", required=True, help="who the token is for (recorded on every event)"
    )
    create.add_argument("--note", help="why it was issued")
    create.add_argument(
        "--expires",
        help="the first day the token no longer works "
        "(YYYY-MM-DD), or a number of days from today (90d); "
        "default: until revoked",
    )
    _add(tokens, "list", cmd_token_list)
    revoke = _add(tokens, "revoke", cmd_token_revoke)
    revoke.add_argument("id")
    revoke.add_argument("--reason", required=True)


def _add_invite(commands: Any) -> None:
    invite = _add(commands, "invite", cmd_invite)
    invite.add_argument("email")
    invite.add_argument("--grant", required=True, help="admin, auditor, school:<URN> or hub:<CODE>")
    invite.add_argument("--name", help="the person's name as others will see it")


def _add_erasure(commands: Any) -> None:
    erase = _add(commands, "erase", cmd_erase)
    erase.add_argument("upn")
    erase.add_argument(
        "--requested-by", required=True, help="URN of the school that holds or held the pupil"
    )
    erase.add_argument("--reason", required=True)
    retention = _add(commands, "retention", cmd_retention)
    retention.add_argument(
        "--dry-run", action="store_true", help="list who would be erased; erase nobody"
    )
    retention.add_argument(
        "--years", type=int, help="years kept after leaving (default RETENTION_YEARS, or 6)"
    )
    migrate = _add(commands, "migrate-identities", cmd_migrate_identities)
    migrate.add_argument(
        "--dry-run", action="store_true", help="count the identities in the clear; change nothing"
    )
    migrate.add_argument(
        "--batch-size", type=int, default=1000, help="events sealed per transaction"
    )
    migrate.add_argument(
        "--no-compact",
        action="store_true",
        help="skip rewriting the store's files afterwards (PostgreSQL: VACUUM FULL locks the log)",
    )


def _add_events(commands: Any) -> None:
    events = _add(commands, "events", cmd_events)
    events.add_argument("--upn")
    events.add_argument("--school")
    events.add_argument("--start", type=int, default=1)
    events.add_argument("--stop", type=int)


def _calendar_date(text: str):
    """A date the figures can be for: within the years the calendar holds."""
    from tracker.calendar import OUTSIDE_YEARS, in_calendar

    day = _iso_date(text)
    if not in_calendar(day):
        raise argparse.ArgumentTypeError(f"{text!r}: a date {OUTSIDE_YEARS}")
    return day


def _iso_date(text: str):
    """An argparse type: a bad date is a usage error naming it, not a traceback."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _add(
    commands: Any, name: str, handler, help_text: str | None = None
) -> argparse.ArgumentParser:
    doc = help_text or (handler.__doc__ if handler else "")
    command = commands.add_parser(name, help=doc, description=doc)
    command.set_defaults(handler=handler)
    return command
