"""A hub's termly series carries every hub figure of metrics.md at each point: the mean of the
schools' coverages and the non-hub figures too, the same as the hub's metrics on that date."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.conftest import make_world
from tests.scenarios import ADMIN, EMPLOYER
from tracker.identifiers import make_upn

SERIES = "/api/v1/hubs/DEMO/metrics/series?year=2018/19&dates=2019-02-15"
OUTSIDE = "900003"  # a school in no hub, so the non-hub figures count someone
KEPT = (
    "schools",
    "every_student_employer_encounters",
    "every_student_workplace_experience",
    "mean_benchmarks_achieved",
    "pct_schools_achieving",
    "mean_coverage",
    "pupil_coverage",
    "pupils_measured",
    "pupils_met",
)


@pytest.fixture(scope="module")
def world():
    world = make_world({"SMALL_NUMBER_THRESHOLD": 3})
    tracker = world.tracker
    tracker.register_school(OUTSIDE, "School C", "secondary", "885", "8854003", caller=ADMIN)
    upns = [make_upn("885", "4003", 18, serial) for serial in range(1, 9)]
    for upn in upns:
        tracker.enrol_pupil(
            OUTSIDE, upn, "Given", "Family", date(2003, 1, 15), 11, date(2018, 9, 3), caller=ADMIN
        )
    tracker.record_activity(
        OUTSIDE,
        "careers_fair",
        "Fair",
        date(2018, 11, 20),
        upns[:6],
        employer=EMPLOYER,
        meaningful=True,
        caller=ADMIN,
    )
    return world


def answer(world, who: str, path: str) -> dict:
    response = world.client.get(path, headers=world.headers(who))
    assert response.status_code == 200, response.json
    return response.json


def kept(summary: dict) -> dict:
    figures = {name: summary[name] for name in KEPT}
    if "suppressed" in summary:  # a hub token's: what it was not shown of the figures kept
        figures["suppressed"] = {
            name: why
            for name, why in summary["suppressed"].items()
            if name.partition(".")[0] in KEPT
        }
    return figures


@pytest.mark.parametrize("who", ["admin", "auditor", "hub"])
def test_each_series_point_has_the_hubs_national_and_non_hub_figures_of_its_date(world, who):
    points = answer(world, who, SERIES)["points"]
    assert [p["as_of"] for p in points] == ["2018-12-31", "2019-02-15", "2019-03-31"]
    for point in points:
        metrics = answer(world, who, f"/api/v1/hubs/DEMO/metrics?as_of={point['as_of']}")
        assert kept(point) == kept(metrics)
        assert point["national"] == kept(metrics["national"])
        assert point["non_hub"] == kept(metrics["non_hub"])


def test_the_non_hub_figures_count_the_school_in_no_hub_and_the_hubs_mean_coverage_is_its_schools(
    world,
):
    point = answer(world, "admin", SERIES)["points"][0]  # 31 December 2018
    assert point["non_hub"]["schools"] == 1
    assert point["non_hub"]["pupils_measured"]["5"] == 8
    assert point["non_hub"]["pupils_met"]["5"] == 6
    assert point["non_hub"]["mean_coverage"]["5"] == point["non_hub"]["pupil_coverage"]["5"] == 75.0
    metrics = answer(world, "admin", "/api/v1/hubs/DEMO/metrics?as_of=2018-12-31")
    coverages = [
        next(b["coverage"] for b in row["benchmarks"] if b["benchmark"] == 5)
        for row in metrics["school_rows"]
    ]
    assert point["mean_coverage"]["5"] == pytest.approx(sum(coverages) / len(coverages), abs=0.05)


def test_a_hub_token_sees_the_series_mean_coverage_withheld_where_its_metrics_withhold_it(world):
    point = answer(world, "hub", SERIES)["points"][0]
    metrics = answer(world, "hub", "/api/v1/hubs/DEMO/metrics?as_of=2018-12-31")
    withheld = {k: v for k, v in metrics["suppressed"].items() if k.startswith("mean_coverage.")}
    assert withheld, "the worked example's small schools withhold some mean coverage"
    assert {k: v for k, v in point["suppressed"].items() if k.startswith("mean_coverage.")} == (
        withheld
    )
    for name in withheld:
        assert point["mean_coverage"][name.partition(".")[2]] is None


def test_the_series_schema_documents_mean_coverage_and_non_hub(world):
    spec = answer(world, "admin", "/api/openapi.json")
    point = spec["components"]["schemas"]["SeriesPoint"]["properties"]
    assert "mean of the schools' coverages" in point["mean_coverage"]["description"]
    assert "no hub" in point["non_hub"]["description"]
