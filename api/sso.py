"""Single sign-on with the school's OpenID Connect provider (Microsoft Entra ID, Google
Workspace): the authorization code flow with PKCE, state and nonce, the ID token verified
against the issuer's published keys; a person is matched by a verified email address to an
account that was invited (docs/people.md, "Single sign-on")."""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app, redirect, render_template, url_for
from joserfc.errors import JoseError
from requests import RequestException

from api.dashboard import _csrf_token, bp
from api.people_pages import _after_password, public_url
from api.services import services
from tracker.domain.base import Caller

PROVIDER = "school"
NOT_SIGNED_IN = "Signing in with the school account did not work: ask whoever invited you."
# Whatever went wrong (the provider, a forged reply, an unknown or unverified address), the
# answer is the same, so the page tells no one which addresses have accounts.
REFUSED = (AuthlibBaseError, JoseError, RequestException)


def register(app) -> None:
    """Set up the provider when it is configured; the sign-in page then offers its button."""
    config = app.config
    if not config.get("OIDC_ISSUER"):
        return
    oauth = OAuth(app)
    oauth.register(
        PROVIDER,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=_discovery_url(config["OIDC_ISSUER"]),
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    app.extensions["sso_client"] = oauth.create_client(PROVIDER)
    app.context_processor(lambda: {"sso_name": config.get("OIDC_NAME") or "your school account"})


def _discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _client():
    return current_app.extensions.get("sso_client")


@bp.get("/sign-in/sso")
def sign_in_sso():
    """Off to the provider; it sends the person back to `sign_in_sso_back`. A link, not a form:
    the pages' `form-action 'self'` would stop a form's redirect to the provider, and starting
    a sign-in changes nothing (the state ties the answer to this browser)."""
    if _client() is None:
        return redirect(url_for("dashboard.sign_in"))
    try:
        return _client().authorize_redirect(_back_address())
    except REFUSED:
        return _refused()


def _back_address() -> str:
    """Where the provider sends the person back: under PUBLIC_URL when set (behind a proxy the
    request's own host may not be the one registered with the provider)."""
    return public_url().rstrip("/") + url_for("dashboard.sign_in_sso_back")


@bp.get("/sign-in/sso/back")
def sign_in_sso_back():
    """The provider's answer: state and nonce checked, the ID token's signature verified."""
    if _client() is None:
        return redirect(url_for("dashboard.sign_in"))
    try:
        claims = _client().authorize_access_token().get("userinfo") or {}
    except REFUSED:
        return _refused()
    account = invited_account(claims)
    if account is None:
        return _refused()
    return _after_password(account)  # the same session, and the same second factor, as a password


def invited_account(claims: dict):
    """The account for a verified address that was invited and is not disabled; a first sign-in
    this way joins an invited account (the provider has proved the address)."""
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str):
        return None
    tracker = services().tracker
    account = tracker.account_of(email.strip().lower())
    if account is None or account.disabled:
        return None
    if not account.joined:
        tracker.join(account.email, caller=Caller(str(account.id)))
        account = tracker.account_by_id(account.id)
    return account


def _refused():
    page = render_template("sign_in.html", csrf=_csrf_token(), error=NOT_SIGNED_IN)
    return page, 401
