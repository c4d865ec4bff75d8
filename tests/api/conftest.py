"""An API over the worked example in memory, with a token for every kind of caller."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from api import create_app
from tests.conftest import TODAY
from tests.scenarios import build_worked_example


@dataclass
class World:
    client: object
    tracker: object
    tokens: dict[str, str | None]
    ids: dict[str, str]

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        token = self.tokens[who]
        return {**({"Authorization": f"Bearer {token}"} if token else {}), **extra}


def make_world(config: dict | None = None) -> World:
    app = create_app(
        {"DATABASE_URL": "memory://", "TESTING": True, "TODAY": lambda: TODAY, **(config or {})}
    )
    tracker = app.extensions["tracker"].tracker
    ids = build_worked_example(tracker)
    tracker.register_hub("OTHER", "Other hub", "Elsewhere", 2)
    placement = tracker.arrange_placement(
        "900001", "V885400112003", "work_experience", {"name": "Acme"}, TODAY, TODAY
    )
    ids["placement"] = placement.id
    scopes = {
        "admin": "admin",
        "school": "school:900001",
        "other_school": "school:900002",
        "hub": "hub:DEMO",
        "other_hub": "hub:OTHER",
        "auditor": "auditor",
        "revoked": "school:900001",
    }
    tokens = {who: tracker.issue_token(scope, f"{who}@example")[0] for who, scope in scopes.items()}
    revoked = tracker.token_for(tokens["revoked"])
    tracker.revoke_token(str(revoked.id), "left")
    tokens["nobody"] = None
    return World(app.test_client(), tracker, tokens, ids)


@pytest.fixture
def world() -> World:
    return make_world()
