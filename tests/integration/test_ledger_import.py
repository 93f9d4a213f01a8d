"""Excel ledgers through intake: good rows on Kafka as progress-reported, bad rows answered by number."""

import io

import openpyxl
import pytest

from tests.support.intake import running_intake, topic
from tests.support.kafka import body, read_topic

HEADERS = ["措施编号 measure_id", "单位 unit", "区划代码 region_code", "周期 period", "完成百分比 percent_complete",
           "状态 status", "进展情况 narrative", "行政机关负责人出庭应诉率"]


def workbook(*rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    for row in [headers, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
async def intake(settings_values):
    async with running_intake(settings_values, sample_measures=True) as client:
        yield client


async def test_good_rows_are_published_keyed_by_assignment_and_bad_rows_are_named(intake, settings_values):
    ledger = workbook(
        ["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", "已统计", 96.5],
        ["fuzhou-2022-17", "崇仁县政府", "361024", "2026-Q3", 140, "进行中", "", 81],
        ["fuzhou-2022-11", "东乡区政府", "361003", "2026-Q3", 60, "in_progress", "", None],
    )
    response = await intake.post("/v1/ledgers:import", files={"file": ("台账.xlsx", ledger)})

    assert response.status_code == 202, response.text
    answer = response.json()
    assert [row["row"] for row in answer["accepted"]] == [2, 4]
    assert [row["row"] for row in answer["rejected"]] == [3] and "percent_complete" in answer["rejected"][0]["reason"]
    records = await read_topic(settings_values["kafka_bootstrap_servers"],
                               topic(settings_values, "progress-reported"), expected=2)
    by_key = {record.key: body(record) for record in records}
    first = by_key["fuzhou-2022-17|临川区政府".encode()]
    assert first["id"] == answer["accepted"][0]["event_id"] and first["type"] == "progress-reported"
    assert first["data"]["indicator_values"] == {"行政机关负责人出庭应诉率": 96.5}
    assert by_key["fuzhou-2022-11|东乡区政府".encode()]["data"]["indicator_values"] == {}


async def test_the_template_downloads_and_imports_as_is(intake):
    template = await intake.get("/v1/ledgers/template.xlsx")
    assert template.status_code == 200 and template.headers["content-type"].startswith("application/vnd.openxml")

    imported = await intake.post("/v1/ledgers:import", files={"file": ("template.xlsx", template.content)})
    assert [row["row"] for row in imported.json()["accepted"]] == [2] and imported.json()["rejected"] == []


@pytest.mark.parametrize(("content", "words"), [
    (b"measure_id,unit\n", "not an .xlsx workbook"),
    (workbook(headers=["measure_id", "unit"]), "lacks the column(s) region_code, period"),
])
async def test_a_file_that_is_not_a_ledger_is_a_problem_naming_the_file(intake, content, words):
    response = await intake.post("/v1/ledgers:import", files={"file": ("ledger.xlsx", content)})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    assert words in response.json()["detail"]
