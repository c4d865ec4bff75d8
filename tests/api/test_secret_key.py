"""The signing key: required outside tests, and `tracker serve`'s own kept beside its SQLite
store."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from api import create_app
from api.config import MissingSecretKey
from api.server import secret_key


def test_the_app_refuses_to_be_built_without_a_secret_key_except_in_tests(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(MissingSecretKey, match="SECRET_KEY is not set"):
        create_app({"DATABASE_URL": "memory://"})
    assert create_app({"DATABASE_URL": "memory://", "TESTING": True}).config["SECRET_KEY"]
    assert (
        create_app({"DATABASE_URL": "memory://", "SECRET_KEY": "given"}).config["SECRET_KEY"]
        == "given"
    )


def test_serve_keeps_one_key_beside_a_sqlite_store_readable_by_its_owner_only(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    first = secret_key(url)
    kept = Path(f"{tmp_path / 'site.sqlite3'}-secret-key")
    assert secret_key(url) == first == kept.read_text() and len(first) == 64
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_serve_uses_the_environments_key_and_otherwise_one_per_run_off_sqlite(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert secret_key("memory://") != secret_key("memory://")
    assert secret_key("postgresql://postgres@127.0.0.1/x") != secret_key(
        "postgresql://postgres@127.0.0.1/x"
    )
    monkeypatch.setenv("SECRET_KEY", "from the environment")
    assert secret_key(f"sqlite:///{tmp_path / 'site.sqlite3'}") == "from the environment"
    assert not list(tmp_path.iterdir()), "no file is made when the environment gives the key"
