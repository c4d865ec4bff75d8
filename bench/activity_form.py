"""The school page's activity form over the North East region on PostgreSQL, through Flask's client:
filling in a year group from the roll beside the roll page's same read, and the organisation
picker's matches beside `GET /organisations?q=` (the same matching), alternated in one run.

    python -m bench.activity_form --url postgresql://…/region_copy [--repeat 15]

Writes one token into the database it is given: give it a copy of the region, never the region.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from datetime import date

from api import create_app
from bench.machine import describe
from bench.region import TODAY

DAY = date(2026, 3, 10)  # a school day of the region's year
SEARCHES = ("ltd", "north", "acme")


def median_ms(samples: list[float]) -> float:
    return round(1000 * statistics.median(samples), 1)


def biggest_year_group(store) -> tuple[str, int, int]:
    """The school and year group with the most pupils on roll: the largest fill there is."""
    rows = store.query(
        "SELECT m.school_urn, y.year_group + (2025 - y.from_year), COUNT(*) FROM {milestones} m "
        "JOIN {year_groups} y ON y.upn = m.upn AND y.from_year <= 2025 "
        "WHERE m.enrolled_on <= ? AND (m.left_on IS NULL OR ? <= m.left_on) "
        "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1",
        (DAY, DAY),
    )
    urn, year_group, pupils = rows[0]
    return urn, int(year_group), int(pupils)


def signed_in_client(app, urn: str):
    token = app.extensions["tracker"].tracker.issue_token(f"school:{urn}", "bench@example")[0]
    client = app.test_client()
    page = client.get("/dashboard/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/dashboard/sign-in", data={"token": token, "csrf": csrf})
    page = client.get(f"/dashboard/schools/{urn}").get_data(as_text=True)  # a new session's
    return client, token, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def calls(client, token: str, csrf: str, urn: str, year_group: int) -> dict:
    """Each timed call by name: the form's two reads, each beside the read it repeats."""
    form = {"csrf": csrf, "step": "fill", "occurred_on": DAY, "year_groups": year_group}
    bearer = {"Authorization": f"Bearer {token}"}

    def fill():
        answer = client.post(f"/dashboard/schools/{urn}/activities", data=form)
        assert answer.status_code == 200 and b"activity-notice" in answer.data, answer.status

    def roll_page():
        path = f"/dashboard/schools/{urn}/pupils?year_group={year_group}&as_of={DAY}"
        assert client.get(path).status_code == 200

    def get(path: str, headers=None):
        def call():
            answer = client.get(path, headers=headers or {})
            assert answer.status_code == 200, (path, answer.status_code)

        return call

    found = {"fill_year_group": fill, "roll_page_same_year_group": roll_page}
    for text in SEARCHES:
        found[f"picker_{text}"] = get(f"/dashboard/organisations?q={text}&role=employer")
        found[f"register_search_{text}"] = get(
            f"/api/v1/organisations?q={text}&role=employer", bearer
        )
    return found


def alternate(timed: dict, repeat: int) -> dict[str, float]:
    """Median milliseconds of each call, the calls taken in turn so the machine's other work falls
    on each alike; the first of each (warming) not counted."""
    samples: dict[str, list[float]] = {name: [] for name in timed}
    for call in timed.values():
        call()
    for _ in range(repeat):
        for name, call in timed.items():
            began = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - began)
    return {name: median_ms(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="a copy of the region's database")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.url, "TODAY": lambda: TODAY, "SECRET_KEY": "bench"})
    urn, year_group, pupils = biggest_year_group(app.extensions["tracker"].store)
    client, token, csrf = signed_in_client(app, urn)
    medians = alternate(calls(client, token, csrf, urn, year_group), args.repeat)
    ratios = {"fill / roll page": medians["fill_year_group"] / medians["roll_page_same_year_group"]}
    for text in SEARCHES:
        ratios[f"picker / register search ({text})"] = (
            medians[f"picker_{text}"] / medians[f"register_search_{text}"]
        )
    print(
        json.dumps(
            {
                "machine": describe(),
                "school": urn,
                "year_group": year_group,
                "pupils_filled": pupils,
                "repeat": args.repeat,
                "median_ms": medians,
                "ratios": {name: round(ratio, 2) for name, ratio in ratios.items()},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
