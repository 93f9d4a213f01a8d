"""Plan documents through intake: parse, preview with unresolved names, import idempotently onto Kafka."""

import asyncio
import time
from pathlib import Path

import pytest

from services.intake.domain.registry_file import DEMO_REGISTRY
from tests.data.documents import hostile
from tests.data.documents.government_pdf import government_pdf
from tests.support.intake import running_intake, topic
from tests.support.kafka import body, read_topic
from tests.unit.intake.domain.plans.plan_test_helpers import sample_text

FUZHOU = sample_text("fuzhou-city-2022").encode()
PLAN = {"plan_id": "fuzhou-2022", "region_code": "361000"}
DOCUMENTS = Path(__file__).resolve().parents[2] / "data" / "documents"


@pytest.fixture
async def intake(settings_values):
    async with running_intake(settings_values) as client:
        yield client


async def test_parse_answers_the_parsers_json(intake):
    response = await intake.post("/v1/plans:parse", files={"file": ("fuzhou.txt", FUZHOU)})
    plan = response.json()
    assert response.status_code == 200 and plan["is_plan"] is True and len(plan["measures"]) == 26
    assert plan["measures"][16]["title"] == "加强行政应诉工作"


async def test_a_preview_names_the_unresolved_units_and_publishes_nothing(intake, settings_values):
    without_registry = await intake.post("/v1/plans:import", data={**PLAN, "preview": "true"},
                                         files={"file": ("fuzhou.txt", FUZHOU)})
    await intake.post("/v1/registry", files={"file": ("registry.yaml", DEMO_REGISTRY.read_bytes())})
    with_registry = await intake.post("/v1/plans:import", data={**PLAN, "preview": "true"},
                                      files={"file": ("fuzhou.txt", FUZHOU)})

    assert without_registry.status_code == 200
    assert (without_registry.json()["registry"], without_registry.json()["unresolved"]) == (None, None)
    preview = with_registry.json()
    assert preview["registry"] == "last published" and preview["measures"] == []
    assert preview["unresolved"] == [{"name": "立法项目起草部门", "measure_ids": ["fuzhou-2022-5"]}]
    assert len(preview["plan"]["measures"]) == 26
    assert await read_topic(settings_values["kafka_bootstrap_servers"], topic(settings_values, "measure-created"),
                            expected=1, timeout_ms=2_000) == []


async def test_an_uploaded_registry_file_serves_the_preview(intake):
    tiny = b'regions:\n  - {code: "361000", name: x, level: city, units: [{unit_id: a, name: x, kind: government}]}\n'
    preview = await intake.post("/v1/plans:import", data={**PLAN, "preview": "true"},
                                files={"file": ("fuzhou.txt", FUZHOU), "registry_file": ("r.yaml", tiny)})
    assert preview.json()["registry"] == "uploaded" and len(preview.json()["unresolved"]) == 34


async def test_importing_publishes_one_measure_created_per_measure_and_again_the_same_events(intake, settings_values):
    first = await intake.post("/v1/plans:import", data=PLAN, files={"file": ("fuzhou.txt", FUZHOU)})
    again = await intake.post("/v1/plans:import", data=PLAN, files={"file": ("fuzhou.txt", FUZHOU)})

    assert first.status_code == 202, first.text
    assert first.json()["measures"] == again.json()["measures"]  # the same event ids: the tracker ignores these
    records = await read_topic(settings_values["kafka_bootstrap_servers"], topic(settings_values, "measure-created"),
                               expected=52)
    assert len(records) == 52 and len({body(r)["id"] for r in records}) == 26
    measure = next(body(r)["data"] for r in records if r.key == b"fuzhou-2022-17")
    assert measure["lead_units"] == ["市司法局", "市法院", "市检察院"] and measure["start_date"] == "2022-01-01"
    assert measure["targets"][0]["indicator"] == "行政机关负责人出庭应诉率" and measure["targets"][0]["value"] == 95
    assert measure["targets"][0]["kind"] == "rate"  # held whenever reported, as alerts judge it


@pytest.mark.parametrize(("data", "file", "field"), [
    ({**PLAN, "region_code": "3610"}, ("fuzhou.txt", FUZHOU), "region_code"),
    ({"region_code": "361000"}, ("fuzhou.txt", FUZHOU), "plan_id"),
    (PLAN, ("fuzhou.pdf", b"%PDF-1.7"), "file"),
    (PLAN, ("speech.txt", "同志们:今天我们召开会议。".encode()), "file"),
])
async def test_malformed_input_is_a_problem_naming_the_field(intake, data, file, field):
    response = await intake.post("/v1/plans:import", data=data, files={"file": file})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_a_pdf_plan_imports_like_its_text(intake):
    pdf = government_pdf(FUZHOU.decode())
    from_pdf = await intake.post("/v1/plans:import", data={**PLAN, "preview": "true"},
                                 files={"file": ("fuzhou.pdf", pdf, "application/pdf")})
    from_text = await intake.post("/v1/plans:import", data={**PLAN, "preview": "true"},
                                  files={"file": ("fuzhou.txt", FUZHOU)})
    assert from_pdf.status_code == 200, from_pdf.text
    assert [(m["number_text"], m["unit_pairs"]) for m in from_pdf.json()["plan"]["measures"]] == \
        [(m["number_text"], m["unit_pairs"]) for m in from_text.json()["plan"]["measures"]]


async def test_word_list_numbering_and_task_tables_import_with_their_units(intake):
    for name in ("plan-word-list-numbering.docx", "plan-task-table.docx"):
        response = await intake.post("/v1/plans:parse", files={"file": (name, (DOCUMENTS / name).read_bytes())})
        measures = response.json()["measures"]
        assert response.status_code == 200 and len(measures) == 3
        assert all(m["lead_units"] and m["responsible_units"] for m in measures)


@pytest.mark.parametrize(("route", "file", "status", "says"), [
    ("/v1/plans:import", ("bomb.docx", hostile.xml_bomb()), 422, "declares a DTD"),
    ("/v1/plans:import", ("bomb.docx", hostile.zip_bomb(40)), 413, "inflates more than 200 times"),
    ("/v1/plans:import", ("photo.docx", hostile.PNG), 422, "photo.docx is a PNG image, not a Word .docx document"),
    ("/v1/plans:import", ("scan.docx", hostile.PDF), 422, "scan.docx is a PDF document, not a Word .docx document"),
    ("/v1/plans:import", ("broken.docx", hostile.malformed_docx()), 422, "not well-formed XML"),
    ("/v1/plans:import", ("huge.txt", b"1" * (20 * 2**20 + 1)), 413, "larger than 20 MB"),
    ("/v1/ledgers:import", ("bomb.xlsx", hostile.zip_bomb(80)), 413, "declares 80 MB"),
    ("/v1/ledgers:import", ("ledger.xlsx", hostile.xml_bomb()), 422, "declares a DTD"),
    ("/v1/ledgers:import", ("ledger.xlsx", hostile.xlsx_xml_bomb()), 422, "declares a DTD"),
    ("/v1/ledgers:import", ("photo.xlsx", hostile.PNG), 422, "photo.xlsx is a PNG image, not an Excel .xlsx"),
], ids=["xml-bomb", "zip-bomb", "png-as-docx", "pdf-as-docx", "malformed-docx", "oversized", "ledger-zip-bomb",
        "ledger-docx-xml-bomb", "ledger-xlsx-xml-bomb", "png-as-xlsx"])
async def test_a_hostile_upload_is_a_problem_naming_the_fault_and_publishes_nothing(
        intake, settings_values, route, file, status, says):
    response = await intake.post(route, data=PLAN, files={"file": file})
    assert response.status_code == status and response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert says in problem["detail"] and problem["errors"][0]["field"] == "file"
    if status == 413:
        assert problem["limit"] in ("max_ratio", "upload_bytes", "inflated_bytes")
    await nothing_published(settings_values)


@pytest.mark.parametrize("route", ["/v1/plans:parse", "/v1/plans:import", "/v1/ledgers:import", "/v1/registry"])
async def test_a_request_over_its_routes_body_limit_is_refused_before_it_is_read(intake, settings_values, route):
    limit = (await intake.get("/openapi.json")).json()["paths"][route]["post"]["x-max-body-bytes"]
    response = await intake.post(route, data=PLAN, files={"file": ("huge.xlsx", b"1" * (limit + 1))})
    problem = response.json()
    assert (response.status_code, response.headers["content-type"]) == (413, "application/problem+json")
    assert problem["type"] == "/problems/body-too-large" and problem["limit"] == limit
    await nothing_published(settings_values)


async def nothing_published(settings_values: dict) -> None:
    for name in ("measure-created", "progress-reported", "registry-published"):
        assert await read_topic(settings_values["kafka_bootstrap_servers"], topic(settings_values, name),
                                expected=1, timeout_ms=1_000) == []


async def test_the_service_answers_while_a_long_upload_is_parsed(intake):
    # 13 MB of plan-like text without unit labels: seconds of parsing, then answered "not a plan". The liveness
    # probe answers from the event loop alone, so its latency is the loop's; readiness would also time Kafka's and
    # the database's answers, which a loaded machine delays whatever the parse does.
    speech = sample_text("fuzhou-city-2022").replace("牵头单位", "牵头").replace("责任单位", "责任").replace("方案", "")
    long_text = ((speech + "\n") * 450).encode()
    parsing = asyncio.create_task(intake.post("/v1/plans:parse", files={"file": ("long.txt", long_text)}))
    latencies = []
    while not parsing.done():
        began = time.perf_counter()
        assert (await intake.get("/livez")).status_code == 200
        latencies.append(time.perf_counter() - began)
        await asyncio.sleep(0.05)
    answer = await parsing
    assert answer.status_code == 200 and answer.json()["is_plan"] is False
    assert len(latencies) >= 5 and max(latencies) < 1, latencies


async def test_an_import_that_would_publish_two_measures_under_one_id_is_refused_and_publishes_nothing(
        intake, settings_values):
    twice_two = ("某县法治政府建设实施方案(2022-2025年)\n一、重点任务\n"
                 "1.健全制度。建立台账。(牵头单位:县司法局;责任单位:县直各部门)\n"
                 "2.加强执法。开展评查。(牵头单位:县司法局;责任单位:县直各部门)\n"
                 "2.推进公开。公开信息。(牵头单位:县政府办;责任单位:县直各部门)\n").encode()
    response = await intake.post("/v1/plans:import", data={"plan_id": "x", "region_code": "361000"},
                                 files={"file": ("plan.txt", twice_two)})
    problem = response.json()
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert "x-1-2" in problem["detail"] and "推进公开" in problem["detail"]
    assert await read_topic(settings_values["kafka_bootstrap_servers"], topic(settings_values, "measure-created"),
                            expected=1, timeout_ms=2_000) == []
