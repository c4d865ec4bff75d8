"""Configuration: defaults, then environment variables, then explicit overrides."""

from __future__ import annotations

import os
from typing import Any

from tracker.config import database_url, small_number_threshold

DEFAULTS: dict[str, Any] = {
    "API_TITLE": "Careers Hub Tracker",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SIGN_IN_FAILURES_PER_MINUTE": 10,  # per client address, across every API process
    # Refused enrolments of UPNs registered elsewhere, per school token.
    "TRANSFER_ATTEMPTS_PER_HOUR": 20,
    "MIN_POSITION_WAIT_SECONDS": 2.0,
    # "inline" catches up in this process; "worker" leaves it to `tracker project`.
    "PROJECTIONS": None,
    "CIPHER_KEY": None,
    "VIEWS_DATABASE_URL": None,
    "SECRET_KEY": None,
    "SESSION_LIFETIME_SECONDS": 12
    * 3600,  # a working day: a dashboard sign-in then ends on the server
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    # People (docs/people.md): a session unused this long ends; failed sign-ins per account.
    "SESSION_IDLE_SECONDS": 30 * 60,
    "ACCOUNT_SIGN_IN_FAILURES": 10,  # per account in ACCOUNT_FAILURE_WINDOW_SECONDS
    "ACCOUNT_FAILURE_WINDOW_SECONDS": 15 * 60,
    "SMTP_URL": None,  # smtp://host:port: invitation and reset links are emailed (adapters/mail.py)
    "PUBLIC_URL": None,  # where people reach the dashboard, for links in emails
    # Single sign-on (api/sso.py): the school's OpenID Connect provider, if any.
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    "OIDC_NAME": None,  # on the button: "Sign in with <name>"
}

ENVIRONMENT = (
    "DATABASE_URL",
    "CIPHER_KEY",
    "VIEWS_DATABASE_URL",
    "PROJECTIONS",
    "SECRET_KEY",
    "SMTP_URL",
    "PUBLIC_URL",
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_NAME",
)


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    # Counts of pupils from 1 to the threshold less one are withheld from hub tokens
    # (docs/privacy.md).
    config = dict(
        DEFAULTS, DATABASE_URL=database_url(), SMALL_NUMBER_THRESHOLD=small_number_threshold()
    )
    config.update({key: os.environ[key] for key in ENVIRONMENT if os.environ.get(key)})
    for number in (
        "MAX_CONTENT_LENGTH",
        "SIGN_IN_FAILURES_PER_MINUTE",
        "TRANSFER_ATTEMPTS_PER_HOUR",
        "SESSION_LIFETIME_SECONDS",
        "SESSION_IDLE_SECONDS",
        "ACCOUNT_SIGN_IN_FAILURES",
        "ACCOUNT_FAILURE_WINDOW_SECONDS",
    ):
        if os.environ.get(number):
            config[number] = int(os.environ[number])
    if os.environ.get(
        "SESSION_COOKIE_SECURE"
    ):  # TLS ended at a proxy: the app itself sees plain HTTP
        config["SESSION_COOKIE_SECURE"] = os.environ["SESSION_COOKIE_SECURE"].lower() in (
            "1",
            "true",
            "yes",
            "on",
        )
    config.update(overrides or {})
    if not config["PROJECTIONS"]:
        # An embedded store has no worker beside it: keep the views current in-process.
        config["PROJECTIONS"] = (
            "worker" if config["DATABASE_URL"].startswith("postgres") else "inline"
        )
    if not config["SECRET_KEY"]:
        if not config.get("TESTING"):
            raise MissingSecretKey(MISSING_SECRET_KEY)
        config["SECRET_KEY"] = os.urandom(32).hex()
    return config


MISSING_SECRET_KEY = (
    "SECRET_KEY is not set. Every API process must sign dashboard sessions with the same key, or a "
    "sign-in works only on the worker that made it. Set one, e.g. "
    "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'); "
    "`tracker serve` makes and keeps its own."
)


class MissingSecretKey(RuntimeError):
    """Raised where the API would start without a signing key shared by all its processes."""


def require_secret_key(environ: dict[str, str]) -> None:
    """For gunicorn's master: refuse to start before any worker is forked."""
    if not environ.get("SECRET_KEY"):
        raise MissingSecretKey(MISSING_SECRET_KEY)
