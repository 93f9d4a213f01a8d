"""Excel ledgers through intake: good rows on Kafka as progress-reported, bad rows answered by number."""

from pathlib import Path

import pytest

from tests.data.ledgers.build import plain_ledger
from tests.support.intake import running_intake, topic
from tests.support.kafka import body, read_topic

LEDGERS = Path(__file__).parents[2] / "data" / "ledgers"

HEADERS = ["措施编号 measure_id", "单位 unit", "区划代码 region_code", "周期 period", "完成百分比 percent_complete",
           "状态 status", "进展情况 narrative", "行政机关负责人出庭应诉率"]


def workbook(*rows, headers=HEADERS) -> bytes:
    return plain_ledger(headers, *rows)


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
    (b"measure_id,unit\n", "ledger.xlsx is plain text, not an Excel .xlsx workbook"),  # a CSV renamed .xlsx
    (workbook(headers=["measure_id", "unit"]), "lacks the column(s) region_code, period"),
])
async def test_a_file_that_is_not_a_ledger_is_a_problem_naming_the_file(intake, content, words):
    response = await intake.post("/v1/ledgers:import", files={"file": ("ledger.xlsx", content)})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    assert words in response.json()["detail"]


async def test_a_preview_answers_each_rows_report_or_reason_and_publishes_nothing(intake, settings_values):
    ledger = (LEDGERS / "wps-text-dates.xlsx").read_bytes()
    preview = await intake.post("/v1/ledgers:import", data={"preview": "true"},
                                files={"file": ("台账.xlsx", ledger)})

    assert preview.status_code == 200, preview.text
    answer = preview.json()
    assert answer["preview"] is True and [row["row"] for row in answer["accepted"]] == [2, 3, 4]
    assert answer["accepted"][0]["report"]["reported_at"] == "2026-10-09T00:00:00+08:00"
    assert answer["accepted"][0]["report"]["percent_complete"] == 85.0
    assert [row["row"] for row in answer["rejected"]] == [5, 6, 7, 8, 9]
    assert "reported_at: '10月9日' is not a date" in answer["rejected"][0]["reason"]

    imported = await intake.post("/v1/ledgers:import", files={"file": ("excel-97.xls",
                                                                       (LEDGERS / "excel-97.xls").read_bytes())})
    assert imported.status_code == 202 and imported.json()["preview"] is False
    records = await read_topic(settings_values["kafka_bootstrap_servers"],
                               topic(settings_values, "progress-reported"), expected=2)
    assert sorted(body(record)["id"] for record in records) == sorted(
        row["event_id"] for row in imported.json()["accepted"])  # the two .xls rows only: the preview sent nothing


async def test_reimporting_a_ledger_without_times_publishes_the_same_events_with_the_same_content(
        intake, settings_values):
    ledger = workbook(["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", "已统计", 96.5])
    for _ in range(2):
        response = await intake.post("/v1/ledgers:import", files={"file": ("台账.xlsx", ledger)})
        assert response.status_code == 202 and response.json()["accepted"][0]["reported_at_from"] == (
            "workbook saved time")
    records = await read_topic(settings_values["kafka_bootstrap_servers"],
                               topic(settings_values, "progress-reported"), expected=2)
    first, again = (body(record) for record in records)
    assert first["id"] == again["id"] and first["data"] == again["data"]


async def test_the_issues_ledger_cases_import(intake):
    for name, when in [("ledger-title-and-two-header-rows.xlsx", "2026-10-09T10:00:00+08:00"),
                       ("ledger-date-builtin-format-31.xlsx", "2026-10-09T10:00:00+08:00")]:
        content = (LEDGERS / "cases" / name).read_bytes()
        response = await intake.post("/v1/ledgers:import", data={"preview": "true"}, files={"file": (name, content)})
        assert response.status_code == 200 and response.json()["rejected"] == [], response.text
        assert [row["report"]["reported_at"] for row in response.json()["accepted"]] == [when]
