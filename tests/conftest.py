"""Shared fixtures: a fixed clock, and stores on memory, SQLite and a throwaway PostgreSQL
database."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import date
from typing import Iterator

import pytest

TODAY = date(2019, 7, 15)
POSTGRES_URL = os.environ.get("DATABASE_TEST_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except Exception as problem:  # any failure to connect means "no server here"
        return str(problem).strip().splitlines()[0]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of a PostgreSQL server; skipped without one, a failure under CI=true."""
    problem = _postgres_reachable()
    if problem:
        message = f"PostgreSQL not reachable at {POSTGRES_URL} ({problem}); see docker/compose.yaml"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_URL


@contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    """The URL of a new database on `server`, dropped when the block ends."""
    import psycopg

    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh database for one test, dropped afterwards."""
    with throwaway_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def database_url(request, tmp_path):
    """The same scenario on every store: in memory, a SQLite file, a real PostgreSQL database."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.sqlite3'}"
    return request.getfixturevalue("postgres_url")
