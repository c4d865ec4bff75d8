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
    "MIN_POSITION_WAIT_SECONDS": 2.0,
    "PROJECTIONS": None,  # "inline" catches up in this process; "worker" leaves it to `tracker project`
    "CIPHER_KEY": None,
    "VIEWS_DATABASE_URL": None,
    "SECRET_KEY": None,
}

ENVIRONMENT = ("DATABASE_URL", "CIPHER_KEY", "VIEWS_DATABASE_URL", "PROJECTIONS", "SECRET_KEY")


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    # Counts of pupils from 1 to the threshold less one are withheld from hub tokens (docs/privacy.md).
    config = dict(DEFAULTS, DATABASE_URL=database_url(), SMALL_NUMBER_THRESHOLD=small_number_threshold())
    config.update({key: os.environ[key] for key in ENVIRONMENT if os.environ.get(key)})
    for number in ("MAX_CONTENT_LENGTH", "SIGN_IN_FAILURES_PER_MINUTE"):
        if os.environ.get(number):
            config[number] = int(os.environ[number])
    config.update(overrides or {})
    if not config["PROJECTIONS"]:
        # An embedded store has no worker beside it: keep the views current in-process.
        config["PROJECTIONS"] = "worker" if config["DATABASE_URL"].startswith("postgres") else "inline"
    config["SECRET_KEY"] = config["SECRET_KEY"] or os.urandom(32).hex()
    return config
