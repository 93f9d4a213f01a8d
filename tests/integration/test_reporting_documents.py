"""The .docx documents over HTTP and the command line, and the bulletins filed on the schedule, against the
real database: tables read back with python-docx hold the API's figures; bad requests are problem documents."""

import asyncio
import io
from datetime import date

import httpx
import pytest
from docx import Document
from pymongo import AsyncMongoClient

from cli.main import main
from services.reporting.domain.documents.wording import ITEMS_LISTED
from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.bulletins import file_due_bulletins, previous_month
from shared.domain.calendar import label_end, today_in_china
from tests.support.apps import running, serving
from tests.support.cities import record_city
from tests.unit.reporting.generated import generate_city

CITY = generate_city(townships=12, measures=10, assignments=600, departments=(6, 3, 1), seed=23,
                     today=date(2026, 11, 22))
HISTORY = [{**p, "_id": f"e-{p['_id']}", "narrative": "已推进", "evidence": []} for p in CITY.progress]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
async def database(settings_values):
    client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    database = client[settings_values["mongodb_database"]]
    await record_city(database, CITY, HISTORY, [date(2025, 12, 31)])  # the annual report's day
    try:
        yield database
    finally:
        await client.drop_database(settings_values["mongodb_database"])
        await client.close()


def tables(content: bytes) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in Document(io.BytesIO(content)).tables]


async def test_the_bulletin_and_annual_docx_hold_the_apis_figures(database, settings_values):
    period = previous_month(today_in_china())
    async with running(create_app(ReportingSettings(**settings_values, snapshot_max_age_seconds=0))) as http:
        response = await http.get("/v1/reports/regions/361000/bulletin.docx", params={"period": period, "issue": 3})
        assert response.status_code == 200 and response.headers["content-type"] == DOCX
        assert f'filename="bulletin-361000-{period}.docx"' in response.headers["content-disposition"]
        ranking = (await http.get("/v1/reports/regions/361000/ranking",
                                  params={"cadence": "month", "as_of": label_end(period).isoformat()})).json()["rows"]
        read = tables(response.content)
        assert [(row[1], row[3]) for row in read[0][1:]] == [(r["name"], f"{r['score']:.1f}") for r in ranking]
        assert {row[2] for row in read[0][1:]} <= {"红灯", "黄灯", "绿灯", "—"}  # 亮灯
        paragraphs = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
        assert f"{period[:4]}年第3期" in paragraphs

        annual = (await http.get("/v1/reports/annual", params={"region_code": "361000", "year": 2025})).json()
        response = await http.get("/v1/reports/annual.docx", params={"region_code": "361000", "year": 2025})
        assert response.status_code == 200 and response.headers["content-type"] == DOCX
        regions, score_regions, score_units, *measures, overdue = tables(response.content)
        assert [row[0] for row in regions[1:]] == [c["name"] for c in annual["figures"]["children"]
                                                   if c["assignments"]]
        scores = annual["scores"]  # 考核得分排名: the same ranking as GET /v1/scores
        assert scores == (await http.get("/v1/scores", params={"region_code": "361000", "year": 2025})).json()
        assert [row[1] for row in score_regions[1:]] == [r["name"] or r["region_code"] for r in scores["regions"]]
        assert len(score_units) - 1 == min(scores["units"], ITEMS_LISTED) > 0
        assert sum(len(table) - 1 for table in measures) == len(annual["measures"])
        assert len(overdue) - 1 == min(len(annual["overdue"]), ITEMS_LISTED)


async def test_bad_requests_are_problem_documents(database, settings_values):
    async with running(create_app(ReportingSettings(**settings_values, snapshot_max_age_seconds=0))) as http:
        for path, params, status in [
            ("/v1/reports/regions/361000/bulletin.docx", {"period": "2026-13"}, 422),
            ("/v1/reports/regions/361000/bulletin.docx", {}, 422),
            ("/v1/reports/regions/361000/bulletin.docx", {"period": f"{today_in_china().year + 1}"}, 422),
            ("/v1/reports/regions/369999/bulletin.docx", {"period": "2026-10"}, 404),
            ("/v1/reports/annual.docx", {"region_code": "361000", "year": today_in_china().year + 1}, 422),
            ("/v1/reports/annual.docx", {"region_code": "369999", "year": 2025}, 404),
            ("/v1/reports/documents/bulletin-361000-1999-01.docx", {}, 404),
            ("/v1/reports/documents", {"region_code": "999999"}, 404),
        ]:
            response = await http.get(path, params=params)
            assert response.status_code == status, (path, params, response.text)
            assert response.headers["content-type"] == "application/problem+json"


async def test_the_schedule_files_last_months_bulletin_once_listed_and_downloadable(database, settings_values):
    settings = ReportingSettings(**settings_values, snapshot_max_age_seconds=0, bulletin_day_of_month=1,
                                 bulletin_regions=["361000", "361002"], bulletin_check_seconds=0.2)
    period = previous_month(today_in_china())
    app = create_app(settings)
    async with running(app) as http:
        for _ in range(150):
            listed = (await http.get("/v1/reports/documents")).json()
            if len(listed) == 2:
                break
            await asyncio.sleep(0.2)
        assert sorted(d["id"] for d in listed) == [f"bulletin-361000-{period}", f"bulletin-361002-{period}"]
        assert all(d["kind"] == "bulletin" and d["period"] == period and d["size"] > 10_000 for d in listed)
        assert [d["id"] for d in (await http.get("/v1/reports/documents", params={"region_code": "361002"})).json()
                ] == [f"bulletin-361002-{period}"]
        response = await http.get(f"/v1/reports/documents/bulletin-361002-{period}.docx")
        assert response.status_code == 200 and response.headers["content-type"] == DOCX
        lines = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
        assert f"{period[:4]}年第{int(period[5:])}期" in lines and "一、总体情况" in lines
        # Another replica, or the next check, files nothing again.
        assert await file_due_bulletins(app.state.documents, app.state.snapshots.current, ["361000"], 1,
                                        today_in_china()) == []
        assert len((await http.get("/v1/reports/documents")).json()) == 2


async def test_duban_report_bulletin_and_annual_write_docx(database, settings_values, tmp_path, capsys):
    # The commands run in a thread: the test's event loop, which holds the database fixture's client, keeps
    # answering its server monitor meanwhile (a loop blocked for long gets the client's pool reset).
    period = previous_month(today_in_china())
    app = create_app(ReportingSettings(**settings_values, snapshot_max_age_seconds=0))
    with serving(app, lambda url: httpx.get(f"{url}/health").status_code == 200) as url:
        await asyncio.to_thread(main, ["report", "bulletin", "--region", "361002", "--period", period,
                                       "--out", str(tmp_path / "b.docx"), "--reporting", url])
        await asyncio.to_thread(main, ["report", "annual", "--region", "361002", "--year", "2025",
                                       "--out", str(tmp_path / "a.docx"), "--reporting", url])
        with pytest.raises(SystemExit, match="HTTP 422"):
            await asyncio.to_thread(main, ["report", "bulletin", "--region", "361002", "--period", "2026-13",
                                           "--reporting", url])
    assert "bulletin 361002" in capsys.readouterr().out
    assert Document(str(tmp_path / "b.docx")).paragraphs[0].text == "督办通报"
    assert Document(str(tmp_path / "a.docx")).paragraphs[0].text.endswith("2025年度法治政府建设情况报告")
