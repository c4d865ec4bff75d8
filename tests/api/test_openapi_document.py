"""The OpenAPI document: valid against the OpenAPI 3 schema, and complete enough for a client to
be written from it (the bearer token, idempotency keys, error answers, parameters, list items)."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from api import create_app

METHODS = ("get", "post", "put", "patch", "delete")
OPEN = ("/healthz", "/readyz")


@pytest.fixture(scope="module")
def document() -> dict:
    app = create_app({"DATABASE_URL": "memory://", "TESTING": True})
    return app.test_client().get("/api/openapi.json").json


def operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method], item.get("parameters", [])


def test_the_document_validates_against_the_openapi_3_schema(document):
    validate(document)


def test_every_operation_but_the_health_checks_asks_for_a_bearer_token(document):
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["security"] == [{"bearer": []}]
    assert {path for path, _, op, _ in operations(document) if op.get("security") == []} == set(
        OPEN
    )


def test_every_post_documents_its_idempotency_key(document):
    posts = [(path, op) for path, method, op, _ in operations(document) if method == "post"]
    assert posts
    for path, op in posts:
        names = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in names, path


def test_every_error_answer_carries_the_error_body(document):
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, op, _ in operations(document):
        if path in OPEN:
            continue
        expected = {"401", "403", "422", "503"} | ({"404"} if "{" in path else set())
        expected |= {"409"} if method != "get" else set()
        assert expected <= set(op["responses"]), (method, path)
        for code in expected:
            answer = op["responses"][code]
            assert answer["content"]["application/json"]["schema"] == error, (path, code)


def test_every_parameter_says_what_it_means(document):
    for path, _, op, shared in operations(document):
        for parameter in [*op.get("parameters", []), *shared]:
            assert parameter.get("description"), (path, parameter["name"])


def test_the_items_of_the_lists_are_described_key_by_key(document):
    pages = ("ActivityPage", "EventPage", "TimelinePage", "PupilReadPage")
    for name in pages:
        items = document["components"]["schemas"][name]["properties"]["items"]["items"]
        assert items["properties"] and all(
            p.get("description") for p in items["properties"].values()
        ), name
