"""Commands over people's accounts: invite someone (the link emailed, or printed)."""

from __future__ import annotations

import json
import os
import secrets

from cli.common import cli_caller, open_app

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def public_url() -> str:
    """Where people reach the dashboard, for the links in emails (`PUBLIC_URL`)."""
    return os.environ.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL


def cmd_invite(args) -> int:
    """Invite a person with a grant: the link is emailed when SMTP_URL is set, else printed."""
    from adapters import mail
    from tracker.usecases.signin import LINK_DAYS

    app = open_app()
    secret = app.invite(args.email, args.name or args.email, args.grant, caller=cli_caller())
    answer = {"email": args.email.strip().lower(), "grant": args.grant, "link": None}
    if secret is not None:
        link = mail.link_to(public_url(), "invitation", secret)
        if (url := mail.smtp_url()) is not None:
            mail.send(url, args.email, *mail.invitation_text(args.name or "", link, LINK_DAYS))
            answer["sent"] = True
        else:
            answer["link"] = link
    print(json.dumps(answer))
    return 0


DEMO_PEOPLE = (  # role, email, grant (the school's is filled in)
    ("admin", "admin@demo.invalid", "admin"),
    ("auditor", "auditor@demo.invalid", "auditor"),
    ("hub lead", "hub.lead@demo.invalid", "hub:WORCS"),
    ("careers leader", "careers.leader@demo.invalid", "school:{urn}"),
)


def make_demo_people(app, school_urn: str) -> list[tuple[str, str, str]]:
    """One joined account per role, each with a new random password: (role, email, password).
    Admins and auditors set up their second factor at their first sign-in."""
    made = []
    for role, email, grant in DEMO_PEOPLE:
        password = secrets.token_urlsafe(12)
        link = app.invite(email, f"Demo {role}", grant.format(urn=school_urn), caller=cli_caller())
        # The demo's admin and auditor set up their app at their first sign-in.
        app.accept_invitation(link, password, second_factor_later=True)
        made.append((role, email, password))
    return made
