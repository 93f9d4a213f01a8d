"""A unit's ledger round trip: intake pre-fills the template with the unit's assignments from the tracker's HTTP
API, the unit fills it in, uploads it back, and the tracker holds the new progress."""

import datetime as dt
import io
from collections import Counter
from datetime import date

import httpx
import openpyxl
import pytest
from pymongo import AsyncMongoClient

from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from shared.contracts import Measure, MeasureCreated
from shared.kafka.broker import ensure_topics
from tests.support.apps import serving
from tests.support.cities import store_city
from tests.support.intake import running_intake
from tests.support.streams import produce
from tests.support.waiting import eventually
from tests.unit.reporting.generated import generate_city

CITY = generate_city(townships=4, measures=8, assignments=200, departments=(4, 2, 1), seed=31,
                     today=date(2026, 11, 22))


@pytest.fixture
async def tracker_url(settings_values):
    client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    await store_city(client[settings_values["mongodb_database"]], CITY)
    # Intake admits reports only on measures it has read from their topic, as the city's would be.
    measures = [MeasureCreated.wrap(Measure(**{k: v for k, v in m.items() if k != "_id"}), source="/tests")
                for m in CITY.measures]
    await ensure_topics(TrackerSettings(**settings_values))
    await produce(settings_values["kafka_bootstrap_servers"], f"{settings_values['topic_prefix']}measure-created",
                  measures, lambda event: event.data.measure_id)
    app = create_tracker(TrackerSettings(**settings_values))
    try:
        with serving(app, lambda url: httpx.get(f"{url}/health").status_code == 200) as url:
            yield url
    finally:
        await client.drop_database(settings_values["mongodb_database"])
        await client.close()


def busiest_unit() -> str:
    return Counter(a["unit"] for a in CITY.assignments).most_common(1)[0][0]


async def test_a_unit_downloads_its_ledger_fills_it_and_uploads_it_back(tracker_url, settings_values):
    unit = busiest_unit()
    own = sorted(a["measure_id"] for a in CITY.assignments if a["unit"] == unit)
    async with running_intake(settings_values, tracker_url=tracker_url) as intake:
        response = await intake.get("/v1/ledgers/template.xlsx", params={"unit": unit, "period": "2026-11"})
        assert response.status_code == 200, response.text
        assert f'filename="ledger-{unit}.xlsx"' in response.headers["content-disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book["台账 ledger"]
        column = {cell.value.split()[-1]: cell.column for cell in sheet[1]}
        assert sorted(sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)) == own
        assert sheet.protection.sheet and sheet.data_validations.dataValidation
        assert {sheet.cell(row, column["period"]).value for row in range(2, sheet.max_row + 1)} == {"2026-11"}
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, column["percent_complete"], 77)
            sheet.cell(row, column["status"], "推进中")
            sheet.cell(row, column["narrative"], "台账回传")
            sheet.cell(row, column["reported_at"], dt.datetime(2026, 11, 28, 9, 0))
        buffer = io.BytesIO()
        book.save(buffer)
        imported = await intake.post("/v1/ledgers:import", files={"file": ("ledger.xlsx", buffer.getvalue())})
        assert imported.status_code == 202, imported.text
        assert imported.json()["rejected"] == [] and len(imported.json()["accepted"]) == len(own)

    async def tracker_has_the_reports():
        rows = httpx.get(f"{tracker_url}/v1/units/{unit}/assignments").json()
        return all(r["percent_complete"] == 77 and r["narrative"] == "台账回传" for r in rows) and rows

    rows = await eventually(tracker_has_the_reports)
    assert sorted(r["measure_id"] for r in rows) == own


async def test_unknown_units_and_an_unreachable_tracker_are_problem_documents(tracker_url, settings_values):
    async with running_intake(settings_values, tracker_url=tracker_url) as intake:
        response = await intake.get("/v1/ledgers/template.xlsx", params={"unit": "no-such-unit"})
        assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
        response = await intake.get("/v1/ledgers/template.xlsx", params={"unit": busiest_unit(), "period": "2026-13"})
        assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    async with running_intake(settings_values, tracker_url="http://127.0.0.1:9", tracker_timeout_seconds=1) as intake:
        response = await intake.get("/v1/ledgers/template.xlsx", params={"unit": busiest_unit()})
        assert response.status_code == 503 and response.headers["retry-after"]
        assert response.json()["type"] == "/problems/tracker-unavailable"
