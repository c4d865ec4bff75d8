"""Settings: one `DATABASE_URL` mapped onto the event store library's own settings."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit

from tracker.errors import InvalidValue
from tracker.identifiers import is_digits

DEFAULT_DATABASE_URL = "sqlite:///tracker.sqlite3"
# Our recorders are named by topic, resolved by the library when the application starts: the
# write side never imports them (adapters/).
MEMORY_FACTORY = "adapters.memory:MemoryFactory"
# People's credentials are kept beside the events, in the same store (tracker/ports.py).
CREDENTIALS_BY_STORE = {
    "eventsourcing.postgres": "adapters.credentials:PostgresCredentials",
    "eventsourcing.sqlite": "adapters.credentials:SQLiteCredentials",
    MEMORY_FACTORY: "adapters.credentials:MemoryCredentials",
}


def database_url(environ: dict[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def store_settings(url: str, cipher_key: str | None = None) -> dict[str, str]:
    """The library's settings for a `postgresql://`, `sqlite:///` or `memory://` URL."""
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        settings = _postgres_settings(parts)
    elif parts.scheme == "sqlite":
        settings = _sqlite_settings(parts)
    elif parts.scheme == "memory":
        settings = {"PERSISTENCE_MODULE": MEMORY_FACTORY}
    else:
        raise InvalidValue(
            f"DATABASE_URL must start postgresql://, sqlite:/// or memory://, got {parts.scheme!r}",
            "DATABASE_URL",
        )
    if cipher_key:
        settings.update(CIPHER_TOPIC="eventsourcing.cipher:AESCipher", CIPHER_KEY=cipher_key)
    return settings


def _postgres_settings(parts) -> dict[str, str]:
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    settings = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": "adapters.postgres_keys:PostgresKeyedRecorder",
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": query.get("pool_size", "5"),
        "POSTGRES_MAX_OVERFLOW": query.get("max_overflow", "10"),
        "POSTGRES_CONNECT_TIMEOUT": query.get("connect_timeout", "5"),
    }
    if "schema" in query:
        settings["POSTGRES_SCHEMA"] = query["schema"]
    return settings


def _sqlite_settings(parts) -> dict[str, str]:
    # sqlite:///relative/path, sqlite:////absolute/path, sqlite:///:memory:
    path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
    if not path:
        raise InvalidValue("a sqlite:/// DATABASE_URL needs a file path", "DATABASE_URL")
    if path == ":memory:":
        path = "file::memory:?mode=memory&cache=shared"
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": "10",
        "APPLICATION_RECORDER_TOPIC": "adapters.sqlite_keys:SQLiteKeyedRecorder",
    }


DEFAULT_SMALL_NUMBER_THRESHOLD = 5  # the DfE's: counts of 1 to 4 pupils are not published


def small_number_threshold(environ: dict[str, str] | None = None) -> int:
    """Counts of pupils from 1 to this less one are withheld from what Hub Leads read
    (docs/privacy.md)."""
    environ = os.environ if environ is None else environ
    text = environ.get("SMALL_NUMBER_THRESHOLD") or str(DEFAULT_SMALL_NUMBER_THRESHOLD)
    if not (is_digits(text) and int(text) >= 1):
        raise InvalidValue(
            f"SMALL_NUMBER_THRESHOLD must be a whole number of pupils, 1 or more; got {text!r}",
            "SMALL_NUMBER_THRESHOLD",
        )
    return int(text)


DEFAULT_RETENTION_YEARS = 6


def retention_years(environ: dict[str, str] | None = None) -> int:
    """How many years after leaving a pupil's identity is kept (`RETENTION_YEARS`, default 6)."""
    environ = os.environ if environ is None else environ
    text = environ.get("RETENTION_YEARS") or str(DEFAULT_RETENTION_YEARS)
    if not (is_digits(text) and 1 <= int(text) <= 100):
        raise InvalidValue(
            f"RETENTION_YEARS must be a whole number of years from 1 to 100, got {text!r}",
            "RETENTION_YEARS",
        )
    return int(text)
