"""Figures as of past days, rebuilt from the tracker's report history in the real database."""

from datetime import UTC, date, datetime

import pytest

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from tests.support.apps import running
from tests.support.cities import store_city
from tests.unit.reporting.generated import generate_city

CITY = generate_city(townships=4, measures=3, assignments=60, departments=(2, 1, 1), seed=3, today=date(2026, 11, 22))
FIRST, SECOND = CITY.assignments[0], CITY.assignments[1]


def report(event_id: str, assignment: dict, day: date, percent: float, status: str) -> dict:
    return {"_id": event_id, "event_id": event_id, "measure_id": assignment["measure_id"],
            "unit": assignment["unit"], "region_code": assignment["region_code"], "period": f"{day.year}",
            "percent_complete": percent, "status": status,
            "reported_at": datetime(day.year, day.month, day.day, 2, tzinfo=UTC),
            "completed_at": datetime(day.year, day.month, day.day, 2, tzinfo=UTC) if status == "completed" else None}


HISTORY = [
    report("e1", FIRST, date(2026, 3, 10), 30, "in_progress"),
    report("e2", FIRST, date(2026, 9, 10), 100, "completed"),
    report("e3", SECOND, date(2026, 9, 12), 50, "in_progress"),
]


@pytest.fixture
async def reporting(settings_values, database):
    await store_city(database, CITY)
    await database["assignment_progress"].delete_many({})  # history is rebuilt from the reports alone
    await database["progress_reports"].insert_many(HISTORY)
    settings = ReportingSettings(**settings_values, snapshot_max_age_seconds=0, history_max_age_seconds=0)
    async with running(create_app(settings)) as client:
        yield client


async def test_figures_as_of_a_past_day_are_the_state_as_it_stood_then(reporting):
    march = (await reporting.get("/v1/reports/regions/361000/as-of/2026-03-31")).json()
    september = (await reporting.get("/v1/reports/regions/361000/as-of/2026-09-30")).json()

    assert (march["completed"], march["in_progress"], march["assignments"]) == (0, 1, len(CITY.assignments))
    assert (september["completed"], september["in_progress"]) == (1, 1)


async def test_the_monthly_series_follows_the_reports_month_by_month(reporting):
    answer = (await reporting.get("/v1/reports/regions/361000/history",
                                  params={"since": "2026-01-01", "as_of": "2026-10-15"})).json()
    series = [(point["as_of"], point["completed"], point["in_progress"]) for point in answer["series"]]
    assert [day for day, _, _ in series] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31",
        "2026-08-31", "2026-09-30", "2026-10-15"]
    assert [(completed, in_progress) for _, completed, in_progress in series] == [
        (0, 0), (0, 0), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (1, 1), (1, 1)]
