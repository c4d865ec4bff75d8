"""A hub's employers as CSV or XLSX over the API, on the worked example: the same rows as
`tracker export-employers`, under the JSON answer's rules (hubs read placements from 1 to 4 as
"low", never a pupil), refused to whoever may not read the hub."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from api.downloads import XLSX
from tests.api.conftest import make_world
from tests.api.test_dashboard import sign_in
from tracker.exports import EMPLOYER_HEADER

UPN = re.compile(r"[A-Z]\d{12}")
PATH = "/api/v1/hubs/DEMO/employers"


def get(world, path, who="admin", **query):
    return world.client.get(path, query_string=query, headers=world.headers(who))


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def sheet_rows(response) -> tuple[list[str], list[list]]:
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Employers"]
    header, *rows = ([cell.value for cell in row] for row in book["Employers"].iter_rows())
    return header, rows


def test_an_admins_csv_holds_the_json_answers_employers_with_exact_placements(world):
    response = get(world, f"{PATH}.csv", year="2018/19")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=DEMO-employers-2018-19-2019-07-15.csv"  # as far in as today
    )
    answer = get(world, PATH, year="2018/19").get_json()
    rows = csv_rows(response)
    assert list(rows[0]) == EMPLOYER_HEADER
    assert [
        (r["id"], r["name"], r["sector"], r["encounters"], r["schools"], r["placements"])
        for r in rows
    ] == [
        (e["id"], e["name"], e["sector"], str(e["encounters"]), str(e["schools"]), "2")
        for e in answer["employers"]
    ]
    assert rows[0]["repeat"] == "yes" and rows[0]["years_engaged"] == "2018/19"


def test_a_hubs_csv_withholds_a_low_count_of_placements_and_names_no_pupil(world):
    response = get(world, f"{PATH}.csv", who="hub", year="2018/19")
    assert response.status_code == 200
    [acme] = csv_rows(response)
    assert (acme["name"], acme["encounters"]) == ("Acme Engineering", "8")
    assert acme["placements"] == "low"
    text = response.get_data(as_text=True)
    assert not UPN.search(text)
    assert not {"upn", "pupil", "pupils", "given_name"} & set(acme)


def test_a_hubs_workbook_withholds_the_same_count_in_a_named_sheet(world):
    response = get(world, f"{PATH}.xlsx", who="hub", year="2018/19")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    header, rows = sheet_rows(response)
    assert header == EMPLOYER_HEADER
    [acme] = rows
    assert (acme[1], acme[4], acme[6]) == ("Acme Engineering", 8, "low")
    assert not any(UPN.search(str(cell)) for row in rows for cell in row)
    admin_rows = sheet_rows(get(world, f"{PATH}.xlsx", year="2018/19"))[1]
    assert admin_rows[0][6] == 2, "an admin's copy has the exact count, as a number"


@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 200),
        ("auditor", 200),
        ("hub", 200),
        ("other_hub", 403),
        ("school", 403),
        ("revoked", 401),
        ("nobody", 401),
    ],
)
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_who_may_download_a_hubs_employers(world, who, status, extension):
    response = get(world, f"{PATH}.{extension}", who=who, year="2018/19")
    assert response.status_code == status
    if status != 200:
        assert response.get_json()["code"] == status
        assert UPN.search(response.get_data(as_text=True)) is None


def test_another_kind_of_file_is_not_found_with_the_error_body(world):
    response = get(world, f"{PATH}.pdf")
    assert response.status_code == 404
    assert response.get_json() == {
        "code": 404,
        "status": "Not Found",
        "message": "an export is a .csv or an .xlsx file",
    }


def test_an_unknown_hub_is_not_found_and_a_bad_year_is_named(world):
    assert get(world, "/api/v1/hubs/NOPE/employers.csv").get_json()["message"] == "no hub NOPE"
    response = get(world, f"{PATH}.csv", year="2018-19")
    assert response.status_code == 422
    [(_, fields)] = response.get_json()["errors"].items()
    assert fields == {"year": ["'2018-19' is not an academic year like '2024/25'"]}
    assert response.get_json() == get(world, PATH, year="2018-19").get_json(), "as the JSON says"


def test_the_openapi_document_describes_both_kinds_of_file(world):
    document = world.client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/v1/hubs/{code}/employers.{extension}"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"text/csv", XLSX}
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
    parameters = document["paths"]["/api/v1/hubs/{code}/employers.{extension}"].get(
        "parameters", []
    ) + operation.get("parameters", [])
    [extension] = [p for p in parameters if p["name"] == "extension"]
    assert extension["schema"]["enum"] == ["csv", "xlsx"]


def test_the_employer_network_page_downloads_what_its_sign_in_may_see():
    world = make_world()
    sign_in(world.client, world.tokens["hub"])
    page = world.client.get("/dashboard/hubs/DEMO/employers?year=2018/19").get_data(as_text=True)
    links = {
        kind: re.search(rf'id="export-{kind}" href="([^"]+)"', page).group(1).replace("&amp;", "&")
        for kind in ("csv", "xlsx")
    }
    csv_file = world.client.get(links["csv"])
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    [acme] = csv_rows(csv_file)
    assert (acme["name"], acme["placements"]) == ("Acme Engineering", "low")
    assert sheet_rows(world.client.get(links["xlsx"]))[1][0][6] == "low"
    assert world.client.get("/dashboard/hubs/DEMO/employers.pdf").status_code == 404
    assert world.client.get("/dashboard/hubs/OTHER/employers.csv").status_code == 403
