"""The reads' typed answers, dumped by the API's schemas: a hub's school rows read straight off the
rows (api/rows.py) come out exactly as marshmallow would dump them field by field."""

from __future__ import annotations

from datetime import date

import pytest
from marshmallow import Schema, fields

from api import schemas
from api.rows import Rows
from projections import small_numbers
from tests.api.conftest import make_world
from tests.scenarios import SCHOOL_A, SCHOOL_B

AS_OF = date(2019, 3, 31)


@pytest.fixture(scope="module")
def reads():
    services = make_world().client.application.extensions["tracker"]
    services.catch_up_inline()
    return services.reads


@pytest.mark.parametrize("threshold", [None, 2, 5])
def test_a_hubs_school_rows_dump_as_their_schema_dumps_them_field_by_field(reads, threshold):
    metrics = reads.hub_metrics("DEMO", AS_OF)
    if threshold is not None:
        metrics = small_numbers.hub_metrics(metrics, threshold)
    dumped = schemas.HubMetrics().dump(metrics)["school_rows"]
    assert dumped == schemas.SchoolRow(many=True).dump(list(metrics.school_rows))
    assert [row["urn"] for row in dumped] == [SCHOOL_A, SCHOOL_B]
    benchmarks = [b for row in dumped for b in row["benchmarks"]]
    assert all(("suppressed" in b) == (threshold is not None) for b in benchmarks)


def test_the_rows_the_export_writes_are_the_hubs_school_rows(reads):
    members = reads.hub_members("DEMO", AS_OF)
    assert reads.school_rows(AS_OF, members) == list(reads.hub_metrics("DEMO", AS_OF).school_rows)


def test_a_field_whose_value_is_not_already_what_json_holds_is_refused_for_fast_rows():
    class Dated(Schema):
        on = fields.Date()

    with pytest.raises(TypeError, match="Date"):
        Rows(Dated)
