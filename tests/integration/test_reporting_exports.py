"""Exports, the annual dataset and the drill-down routes over HTTP, against the real database."""

import io
from dataclasses import replace
from datetime import date

import pytest
from openpyxl import load_workbook
from pymongo import AsyncMongoClient

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.domain.calendar import local_date
from tests.support.apps import running
from tests.support.cities import record_city
from tests.unit.reporting.generated import generate_city

AS_OF = "2026-11-22"
CITY = generate_city(townships=26, measures=12, assignments=1_200, departments=(8, 4, 1), seed=21,
                     today=date(2026, 11, 22))
HISTORY = [{**p, "_id": f"e-{p['_id']}", "narrative": f"{p['unit_name'] if 'unit_name' in p else p['unit']}已推进",
            "evidence": [f"https://example.org/{p['measure_id']}.pdf"]} for p in CITY.progress]


@pytest.fixture
async def reporting(settings_values):
    client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    database = client[settings_values["mongodb_database"]]
    await record_city(database, CITY, HISTORY, [date(2025, 12, 31)])  # the annual report's day
    settings = ReportingSettings(**settings_values, snapshot_max_age_seconds=0)
    try:
        async with running(create_app(settings)) as http:
            yield http
    finally:
        await client.drop_database(settings_values["mongodb_database"])
        await client.close()


async def test_the_region_workbook_and_csv_hold_the_apis_figures(reporting):
    figures = (await reporting.get("/v1/reports/regions/361000", params={"as_of": AS_OF})).json()
    response = await reporting.get("/v1/reports/regions/361000.xlsx", params={"as_of": AS_OF})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vnd.openxml")
    assert 'filename="report-361000-2026-11-22.xlsx"' in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in book["本级汇总"][3]]
    assert book["本级汇总"].cell(4, header.index("任务分解数") + 1).value == figures["assignments"] == 1_200
    assert [row[0] for row in book["下级区域"].iter_rows(min_row=4, values_only=True)] == [
        child["region_code"] for child in figures["children"]]
    assert book["下级区域"].max_row - 3 == len(figures["children"])
    content = (await reporting.get("/v1/reports/regions/361002.csv", params={"as_of": AS_OF})).content
    assert content.startswith("\ufeff报表,区划代码,区域".encode())
    assert (await reporting.get("/v1/reports/regions/3610.xlsx")).status_code == 422


async def test_the_annual_dataset_as_json_workbook_and_printable_page(reporting):
    params = {"region_code": "361000", "year": 2025}
    annual = (await reporting.get("/v1/reports/annual", params=params)).json()
    in_year = [r for r in HISTORY if local_date(r["reported_at"]).year == 2025]
    assert sum(len(m["reports"]) for m in annual["measures"]) == len(in_year)
    assert annual["as_of"] == "2025-12-31" and len(annual["overdue"]) == annual["figures"]["overdue"]
    assert all(m["evidence"] == [f"https://example.org/{m['measure_id']}.pdf"] for m in annual["measures"]
               if m["reports"])
    book = load_workbook(io.BytesIO((await reporting.get("/v1/reports/annual.xlsx", params=params)).content))
    assert book.sheetnames == ["区域汇总", "措施落实情况", "逾期事项"]
    assert book["逾期事项"].max_row - 3 == len(annual["overdue"])
    page = await reporting.get("/reports/annual/361000/2025")
    assert page.status_code == 200 and "2025年度" in page.text and "@media print" in page.text
    assert annual["overdue"][0]["title"] in page.text
    assert (await reporting.get("/v1/reports/annual", params={"region_code": "36", "year": 2025})).status_code == 422


async def test_drill_down_to_a_unit_and_a_measure_with_its_history(reporting):
    units = (await reporting.get("/v1/reports/regions/361002/units", params={"as_of": AS_OF})).json()
    unit = units[0]
    rows = (await reporting.get(f"/v1/reports/regions/361002/units/{unit['unit']}", params={"as_of": AS_OF})).json()
    assert len(rows["rows"]) == unit["assignments"] == rows["figures"]["assignments"]
    measure = (await reporting.get("/v1/reports/measures/gen-1", params={"as_of": AS_OF})).json()
    assert measure["title"] == "演示措施1" and len(measure["rows"]) == measure["figures"]["assignments"] == 100
    assert len(measure["history"]) == sum(r["measure_id"] == "gen-1" for r in HISTORY)
    assert measure["history"][0]["evidence"] == ["https://example.org/gen-1.pdf"]
    assert (await reporting.get("/v1/reports/measures/nope")).status_code == 404
    dashboard = await reporting.get("/")
    assert dashboard.status_code == 200 and "echarts.min.js" in dashboard.text
    assert (await reporting.get("/dashboard/vendor/echarts.min.js")).status_code == 200


HOSTILE_REGION, HOSTILE_TITLE = '=HYPERLINK("http://evil.example","临川区")', "+SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_EVIDENCE = "@SUM(A1:A2)"


async def test_names_titles_and_evidence_from_outside_are_text_in_every_export(settings_values):
    registry = {"regions": [{**region, "name": HOSTILE_REGION} if region["code"] == "361002" else region
                            for region in CITY.registry["regions"]]}
    measures = [{**m, "title": HOSTILE_TITLE} if m["_id"] == "gen-1" else m for m in CITY.measures]
    city = replace(CITY, registry=registry, measures=measures)
    history = [{**p, "evidence": [HOSTILE_EVIDENCE], "narrative": "-已推进"} for p in HISTORY]
    client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    await record_city(client[settings_values["mongodb_database"]], city, history, [date(2025, 12, 31)])
    try:
        async with running(create_app(ReportingSettings(**settings_values, snapshot_max_age_seconds=0))) as http:
            region = await http.get("/v1/reports/regions/361000.xlsx", params={"as_of": AS_OF})
            csv_text = (await http.get("/v1/reports/regions/361000.csv", params={"as_of": AS_OF})).text
            annual = await http.get("/v1/reports/annual.xlsx", params={"region_code": "361000", "year": 2025})
    finally:
        await client.drop_database(settings_values["mongodb_database"])
        await client.close()
    cells = [cell for response in (region, annual) for sheet in load_workbook(io.BytesIO(response.content))
             for row in sheet.iter_rows() for cell in row]
    hostile = {cell.value for cell in cells if cell.value in (HOSTILE_REGION, HOSTILE_TITLE, HOSTILE_EVIDENCE)}
    assert hostile == {HOSTILE_REGION, HOSTILE_TITLE, HOSTILE_EVIDENCE}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells if cell.value in hostile)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert f"'{HOSTILE_REGION}".replace('"', '""') in csv_text and f",{HOSTILE_REGION}" not in csv_text
