"""Commands over people's accounts: invite someone (the link emailed, or printed)."""

from __future__ import annotations

import json
import os

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
