"""The reporting API against the real database: a generated city's figures, checked by counting afresh."""

from collections import Counter
from datetime import date

import pytest
from pymongo import AsyncMongoClient

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.domain.regions import within
from tests.support.apps import running
from tests.support.cities import record_city
from tests.unit.reporting.generated import COUNTIES, generate_city

AS_OF = "2026-11-22"
CITY = generate_city(townships=26, measures=12, assignments=1_200, departments=(8, 4, 1), seed=21,
                     today=date(2026, 11, 22))


@pytest.fixture
async def database(settings_values):
    client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    database = client[settings_values["mongodb_database"]]
    await record_city(database, CITY, alert_days=[date.fromisoformat(AS_OF)])  # the alerts judged that day
    yield database
    await client.drop_database(settings_values["mongodb_database"])
    await client.close()


@pytest.fixture
async def reporting(settings_values, database):
    settings = ReportingSettings(**settings_values, snapshot_max_age_seconds=0)
    async with running(create_app(settings)) as client:
        yield client


def expected(region_code: str) -> Counter:
    """Where the assignments within a region stand, counted straight from the generated documents: completed once
    closed out, a completed report not closed out awaiting verification, otherwise the report's status."""
    progress = {p["_id"]: p for p in CITY.progress}

    def standing(report: dict) -> str:
        if report.get("loop_state") == "closed_out":
            return "completed"
        return "awaiting_verification" if report.get("status") == "completed" else report.get("status", "not_started")

    return Counter(standing(progress.get(a["_id"], {})) for a in CITY.assignments
                   if within(a["region_code"], region_code))


async def test_region_figures_add_up_at_city_county_and_township_level(reporting):
    city = (await reporting.get("/v1/reports/regions/361000", params={"as_of": AS_OF})).json()
    assert city["assignments"] == 1_200
    assert {s: city[s] for s in ("completed", "awaiting_verification", "in_progress", "not_started", "blocked")} == \
        dict(expected("361000"))
    assert [child["region_code"] for child in city["children"]] == sorted(COUNTIES)
    township = "361002101"
    county = (await reporting.get("/v1/reports/regions/361002", params={"as_of": AS_OF})).json()
    leaf = (await reporting.get(f"/v1/reports/regions/{township}", params={"as_of": AS_OF})).json()
    for report, code in ((city, "361000"), (county, "361002"), (leaf, township)):
        assert report["completed"] == expected(code)["completed"]
        for count in ("assignments", "completed", "completed_on_time", "overdue", "units", "units_reported",
                      "targets_reported", "targets_met"):
            assert report[count] == report["own_units"][count] + sum(c[count] for c in report["children"]), count
    assert next(c for c in city["children"] if c["region_code"] == "361002")["overdue"] == county["overdue"]
    assert next(c for c in county["children"] if c["region_code"] == township)["assignments"] == leaf["assignments"]
    assert leaf["children"] == [] and leaf["level"] == "township"


async def test_breakdowns_and_rankings_over_the_same_figures(reporting):
    params = {"as_of": AS_OF}
    city = (await reporting.get("/v1/reports/regions/361000", params=params)).json()
    for by in ("measures", "chapters", "lead-units"):
        rows = (await reporting.get(f"/v1/reports/regions/361000/{by}", params=params)).json()["rows"]
        assert sum(row["assignments"] for row in rows) == 1_200, by
        assert sum(row["overdue"] for row in rows) == city["overdue"], by
    units = (await reporting.get("/v1/reports/regions/361000/units", params=params)).json()
    assert sum(row["assignments"] for row in units) == 1_200 and len(units) == city["units"]
    ranking = (await reporting.get("/v1/reports/regions/361000/ranking", params=params)).json()
    assert [row["rank"] for row in ranking["rows"]][0] == 1 and len(ranking["rows"]) == len(COUNTIES)
    by_units = (await reporting.get("/v1/reports/regions/361000/ranking",
                                    params={**params, "of": "units", "cadence": "year"})).json()
    assert by_units["period"]["label"] == "2026" and len(by_units["rows"]) == city["units"]
    assert (await reporting.get("/v1/reports/regions/36100/ranking")).status_code == 422
