"""Commands over access tokens: issue one for a scope, revoke one, list them."""

from __future__ import annotations

import json

from cli.common import caught_up_views, open_app


def cmd_token_create(args) -> int:
    """Issue a token for a scope; it is shown once and stored only as a hash."""
    from tracker.domain.base import Caller
    from tracker.usecases.access import expiry_date

    app = open_app()
    expires_on = expiry_date(args.expires, app.today()) if args.expires else None
    token, written = app.issue_token(
        args.scope, args.subject, args.note or "", expires_on=expires_on, caller=Caller("cli")
    )
    print(
        json.dumps(
            {
                "id": written.id,
                "scope": args.scope,
                "subject": args.subject,
                "token": token,
                "expires_on": expires_on and expires_on.isoformat(),
            }
        )
    )
    return 0


def cmd_token_revoke(args) -> int:
    """Revoke a token by its id."""
    from tracker.domain.base import Caller

    open_app().revoke_token(args.id, args.reason, caller=Caller("cli"))
    print(f"revoked {args.id}")
    return 0


def cmd_token_list(args) -> int:
    """List tokens with their scopes, who issued them and when (never the tokens themselves)."""
    app = open_app()
    store = caught_up_views(app)
    columns = ("id", "scope", "subject", "issued_at", "issued_by", "revoked_at", "expires_on")
    for row in store.query(f"SELECT {', '.join(columns)} FROM {{tokens}} ORDER BY issued_at"):
        print(json.dumps(dict(zip(columns, row, strict=True)), default=str))
    return 0
