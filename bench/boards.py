"""The dashboard's boards and lists over the North East region on PostgreSQL, through Flask's
client: each page beside the page it is measured against, requested in turn round after round so
that the machine's noise falls on both alike. Medians and ratios.

    python -m bench.boards --url postgresql://postgres@127.0.0.1:5432/region_copy [--rounds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from datetime import timedelta

from api import create_app
from bench.databases import ADMIN_URL, throwaway
from bench.machine import describe
from bench.region import HUB, TODAY, ensure_region, tracker
from projections.runner import Runner
from projections.store import view_store_for


def signed_in(app, token: str):
    client = app.test_client()
    page = client.get("/dashboard/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/dashboard/sign-in", data={"token": token, "csrf": csrf})
    return client


def rounds(pages: dict[str, tuple], count: int) -> dict[str, list[float]]:
    """Each page once a round, in the same order; a first round warms every cache and is not
    counted."""
    samples: dict[str, list[float]] = {name: [] for name in pages}
    for index in range(count + 1):
        for name, (client, path) in pages.items():
            began = time.perf_counter()
            answer = client.get(path)
            elapsed = time.perf_counter() - began
            assert answer.status_code == 200, (path, answer.status_code)
            if index:
                samples[name].append(elapsed)
    return samples


def with_placements(app, store, urn: str, wanted: int) -> int:
    """The region records no placements: give the largest school `wanted` of them (kept in the
    database for the next run), a quarter each arranged, confirmed, completed and cancelled."""
    have = store.query("SELECT COUNT(*) FROM {placements} WHERE school_urn = ?", (urn,))[0][0]
    upns = [
        row[0]
        for row in store.query(
            "SELECT upn FROM {enrolments} WHERE school_urn = ? AND left_on IS NULL ORDER BY upn",
            (urn,),
        )
    ]
    for n in range(have, wanted):
        day = TODAY - timedelta(days=7 * (n % 30) + 7)
        employer = {"name": f"Bench Employer {n % 40}"}
        placement = app.arrange_placement(
            urn, upns[n % len(upns)], "work_experience", employer, day, day
        ).id
        if n % 4 == 1:
            app.confirm_placement(placement, {"safeguarding": True, "risk_assessment": True})
        elif n % 4 == 2:
            app.complete_placement(placement, day, 30.0, would_host="yes")
        elif n % 4 == 3:
            app.cancel_placement(placement, "the employer withdrew")
    return max(have, wanted)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--rounds", type=int, default=30)
    options.add_argument("--placements", type=int, default=150, help="on the board's school")
    options.add_argument("--url", help="reuse a database already holding the region (it is kept)")
    args = options.parse_args()
    print(describe(ADMIN_URL))
    with throwaway("postgres", args.url) as url:
        region = ensure_region(url)
        app, store = tracker(url), view_store_for(url)
        store.create_tables()
        Runner(app, store).catch_up()
        urn = store.query(
            "SELECT school_urn FROM {enrolments} WHERE left_on IS NULL GROUP BY school_urn "
            "ORDER BY COUNT(*) DESC, school_urn LIMIT 1"
        )[0][0]
        placements = with_placements(app, store, urn, args.placements)
        Runner(app, store).catch_up()
        kind = store.query("SELECT type FROM {schools} WHERE urn = ?", (urn,))[0][0]
        web = create_app(
            {
                "DATABASE_URL": url,
                "PROJECTIONS": "worker",
                "TODAY": lambda: TODAY,
                "SECRET_KEY": os.urandom(32).hex(),
            }
        )
        admin = signed_in(web, app.issue_token("admin", "bench")[0])
        hub = signed_in(web, app.issue_token(f"hub:{HUB}", "bench")[0])
        school = signed_in(web, app.issue_token(f"school:{urn}", "bench")[0])
        filtered = f"type={kind}&benchmark=6&achieved=no"
        pages = {
            "hub_page": (hub, f"/dashboard/hubs/{HUB}"),
            "hub_page_filtered": (hub, f"/dashboard/hubs/{HUB}?{filtered}"),
            "hub_csv": (hub, f"/dashboard/hubs/{HUB}/schools.csv"),
            "hub_csv_filtered": (hub, f"/dashboard/hubs/{HUB}/schools.csv?{filtered}"),
            "hubs_list_admin": (admin, "/dashboard/hubs"),
            "hub_schools_list": (hub, f"/dashboard/hubs/{HUB}/schools"),
            "every_school_list": (admin, "/dashboard/schools"),
            "school_page": (school, f"/dashboard/schools/{urn}"),
            "placements_board": (school, f"/dashboard/schools/{urn}/placements"),
            "checklist": (school, f"/dashboard/schools/{urn}/checklist"),
        }
        samples = rounds(pages, args.rounds)
        medians = {name: round(1000 * statistics.median(s), 1) for name, s in samples.items()}
        against = {
            "hub_page_filtered": "hub_page",
            "hub_csv_filtered": "hub_csv",
            "hubs_list_admin": "hub_page",
            "hub_schools_list": "hub_page",
            "placements_board": "school_page",
            "checklist": "school_page",
        }
        print(
            json.dumps(
                {
                    "region": region,
                    "board_school": {"urn": urn, "placements": placements},
                    "rounds": args.rounds,
                    "median_ms": medians,
                    "ratio": {
                        f"{name}/{base}": round(medians[name] / medians[base], 2)
                        for name, base in against.items()
                    },
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
