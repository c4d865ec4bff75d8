"""The access a token gives at this request: a machine's token its scope; a person's token the
grant it is limited to, only while the person still holds it and their account is enabled.

Read at every request, so withdrawing the grant or disabling the account stops the token on the
very next one (docs/people.md).
"""

from __future__ import annotations

from dataclasses import replace

from flask import request

from api.grants import PersonAccess
from api.policy import Access
from api.services import services
from tracker.scopes import Scope
from tracker.usecases.personal_tokens import ALL_GRANTS


def access_of_token(token) -> Access | None:
    """None when a person's token no longer gives anything."""
    account = services().tracker.account_by_id(token.subject)
    if account is None:  # a machine's token: its subject names no account
        return Access.of(token)
    if not account.is_active:
        return None
    if token.scope == ALL_GRANTS:
        return _narrowed_to_request(PersonAccess.of(account), str(token.id))
    if token.scope not in account.grants:
        return None
    return Access(Scope.parse(token.scope), str(account.id), str(token.id))


def _narrowed_to_request(person: PersonAccess, token_id: str) -> Access | None:
    """Every grant the person holds, narrowed to the one that answers for the object the path
    names, as their dashboard pages are."""
    if not person.grants:
        return None
    named = {k: v for k, v in (request.view_args or {}).items() if k in ("urn", "code", "upn")}
    return replace(person.narrowed(services().reads, **named), token_id=token_id)
