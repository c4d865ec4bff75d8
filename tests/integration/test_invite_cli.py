"""`tracker invite`: the link emailed through a real local SMTP server, or printed without one."""

from __future__ import annotations

import json

import pytest

from cli import main
from tests.mailbox import smtp_server
from tracker.application import Tracker


@pytest.fixture
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PUBLIC_URL", "https://tracker.example.org")
    monkeypatch.delenv("SMTP_URL", raising=False)
    return url


def test_without_smtp_the_invitation_link_is_printed_and_works(url, capsys):
    assert main(["invite", "CL@example.org", "--grant", "school:123456", "--name", "Cee"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["email"] == "cl@example.org" and printed["grant"] == "school:123456"
    prefix = "https://tracker.example.org/dashboard/invitation/"
    assert printed["link"].startswith(prefix)
    app = Tracker.from_url(url)
    app.accept_invitation(printed["link"][len(prefix) :], "correct horse battery")
    account = app.account_of("cl@example.org")
    assert account.is_active and account.grants == ["school:123456"]


def test_with_smtp_the_invitation_is_emailed_and_not_printed(url, capsys, monkeypatch):
    with smtp_server() as (smtp_url, mailbox):
        monkeypatch.setenv("SMTP_URL", smtp_url)
        assert main(["invite", "lead@example.org", "--grant", "hub:north"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["link"] is None and printed["sent"] is True
    (message,) = mailbox.messages
    assert message["To"] == "lead@example.org"
    assert mailbox.link_in(message).startswith("https://tracker.example.org/dashboard/invitation/")
