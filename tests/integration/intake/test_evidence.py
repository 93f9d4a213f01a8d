"""Evidence files through intake on the real database (GridFS) and broker: stored once per content with its hash,
downloaded and previewed under its Chinese name, refused with a problem document and nothing stored when it is of
another type, too large, a zip bomb or infected; a report or completion request citing an id intake does not hold
is refused and nothing is published, one citing a stored file carries its reference."""

import asyncio
import hashlib
from urllib.parse import unquote

import pytest

from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from shared.contracts import Measure
from shared.web.clients import new_token
from tests.data.documents import evidence, hostile
from tests.support.intake import assigned_by_tracker, clients_file, running_intake, serving_tracker, topic
from tests.support.kafka import body, read_topic
from tests.support.samples import REPORT
from tests.support.scanners import MARKER, scan_command
from tests.support.waiting import eventually

CITY, LINCHUAN, DONGXIANG = new_token(), new_token(), new_token()
MAX_BYTES = 256 * 1024
NAME = "临川区行政应诉工作总结（2026年）.pdf"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# The assignment the uploads are for: intake asks the tracker whether it exists, and in which region (the registry's
# unit 361002.government: 临川区政府).
MEASURE = Measure(measure_id="fuzhou-2022-30", plan_id="fuzhou-2022", region_code="361000", number=30,
                  title="加强行政复议工作", lead_units=["市司法局"], responsible_units=["临川区政府", "东乡区政府"])
FOR_LINCHUAN = {"measure_id": MEASURE.measure_id, "unit": "361002.government"}


@pytest.fixture
async def intake(settings_values, tmp_path):
    clients = clients_file(tmp_path / "clients.yaml", [("fuzhou-office", "抚州市依法治市办", "361000", CITY),
                                                        ("linchuan-zwfw", "临川区政务服务平台", "361002", LINCHUAN),
                                                        ("dongxiang-zwfw", "东乡区政务服务平台", "361003", DONGXIANG)])
    with serving_tracker(settings_values) as tracker_url:
        await assigned_by_tracker(settings_values, tracker_url, MEASURE, FOR_LINCHUAN["unit"],
                                  load_registry(DEMO_REGISTRY))
        async with running_intake(settings_values, sample_measures=True, clients_file=clients,
                                  evidence_max_bytes=MAX_BYTES, evidence_scan_command=scan_command(tmp_path),
                                  tracker_url=tracker_url) as client:
            yield client


async def upload(intake, content: bytes, name: str = NAME, token: str = LINCHUAN, region: str = "361002",
                 **fields: str):
    return await intake.post("/v1/evidence", files={"file": (name, content, "application/octet-stream")},
                             data={"region_code": region, **fields}, headers=bearer(token))


def problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"/problems/{slug}"
    return response.json()


async def stored_count(database) -> tuple[int, int]:
    return (await database["intake_evidence.files"].count_documents({}),
            await database["intake_evidence.chunks"].count_documents({}))


async def test_a_file_goes_round_trip_through_gridfs_under_its_chinese_name(intake, database):
    content = hostile.PDF + bytes(MAX_BYTES - 1000)  # two GridFS chunks (261,120 bytes each)
    answer = await upload(intake, content, **FOR_LINCHUAN)
    assert answer.status_code == 201, answer.text
    stored = answer.json()
    assert (stored["name"], stored["content_type"], stored["size"]) == (NAME, "application/pdf", len(content))
    assert stored["sha256"] == hashlib.sha256(content).hexdigest() and stored["uploaded_at"]

    download = await intake.get(f"/v1/evidence/{stored['id']}", headers=bearer(LINCHUAN))
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"] == "application/pdf"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == NAME
    assert download.headers["x-content-type-options"] == "nosniff"
    preview = await intake.get(f"/v1/evidence/{stored['id']}/preview", headers=bearer(CITY))
    assert preview.content == content and preview.headers["content-disposition"].startswith("inline;")

    listed = await intake.get("/v1/evidence", params=FOR_LINCHUAN, headers=bearer(LINCHUAN))
    assert listed.json() == [stored]
    files, chunks = await stored_count(database)
    assert (files, chunks) == (1, 2)


async def test_a_text_file_is_downloaded_not_shown(intake):
    stored = (await upload(intake, "整改情况说明".encode("gb18030"), name="说明.txt")).json()
    assert stored["content_type"] == "text/plain"
    preview = await intake.get(f"/v1/evidence/{stored['id']}/preview", headers=bearer(LINCHUAN))
    assert preview.headers["content-disposition"].startswith("attachment;")


async def test_the_same_content_is_stored_once_even_when_sent_at_once(intake, database):
    first = (await upload(intake, evidence.jpeg(), name="现场照片.jpg")).json()
    again = (await upload(intake, evidence.jpeg(), name="copy.jpg", token=DONGXIANG, region="361003")).json()
    assert (again["id"], again["name"], again["sha256"]) == (first["id"], "现场照片.jpg", first["sha256"])
    # The region that sent it again may fetch it too; the file is still one.
    assert (await intake.get(f"/v1/evidence/{first['id']}", headers=bearer(DONGXIANG))).status_code == 200
    assert (await stored_count(database))[0] == 1

    async def indexed():
        return "one_copy_per_content" in await database["intake_evidence.files"].index_information()

    await eventually(indexed)
    word = evidence.word("同时上传")
    answers = await asyncio.gather(*(upload(intake, word, name=f"{n}.docx") for n in range(4)))
    assert {a.status_code for a in answers} == {201} and len({a.json()["id"] for a in answers}) == 1
    same = {"metadata.sha256": answers[0].json()["sha256"]}
    assert await database["intake_evidence.files"].count_documents(same) == 1
    # The losers' chunks are gone with their refused files documents.
    ids = await database["intake_evidence.files"].distinct("_id")
    assert await database["intake_evidence.chunks"].count_documents({"files_id": {"$nin": ids}}) == 0


@pytest.mark.parametrize(("content", "status", "slug", "said"), [
    (b"GIF89a\x01\x00\x01\x00" + bytes(50), 422, "invalid-file", "a GIF image"),
    (hostile.zip_not_word(), 422, "invalid-file", "既不是 Word .docx 也不是 Excel .xlsx"),
    (hostile.zip_bomb(8), 413, "file-too-large", "zip bomb"),
    (b"%PDF-1.7\n" + bytes(MAX_BYTES), 413, "file-too-large", "larger than"),
    (b"", 422, "invalid-file", "文件为空"),
    (b"%PDF-1.7\n" + MARKER + b"\n", 422, "infected-file", "Eicar-Test-Signature FOUND"),
])
async def test_a_refused_file_gets_a_problem_document_and_nothing_is_stored(intake, database, content, status, slug,
                                                                              said):
    document = problem(await upload(intake, content), status, slug)
    assert said in document["detail"]
    assert await stored_count(database) == (0, 0)


async def test_a_request_over_the_body_limit_is_refused_before_it_is_read(intake, database):
    document = problem(await upload(intake, b"%PDF-1.7\n" + bytes(2 * MAX_BYTES)), 413, "body-too-large")
    assert document["limit"] == MAX_BYTES + 64 * 1024
    assert await stored_count(database) == (0, 0)


async def test_a_file_is_for_its_regions_and_the_ones_above(intake):
    stored = (await upload(intake, evidence.png(), **FOR_LINCHUAN)).json()
    problem(await intake.get(f"/v1/evidence/{stored['id']}", headers=bearer(DONGXIANG)), 403, "outside-region")
    assert (await intake.get(f"/v1/evidence/{stored['id']}", headers=bearer(CITY))).status_code == 200
    assert (await intake.get("/v1/evidence", params=FOR_LINCHUAN, headers=bearer(DONGXIANG))).json() == []
    problem(await upload(intake, evidence.png(), token=DONGXIANG, region="361002"), 403, "outside-region")
    problem(await intake.get("/v1/evidence/0123456789abcdef01234567", headers=bearer(CITY)), 404, "unknown-evidence")
    problem(await intake.get("/v1/evidence/not-an-id"), 401, "unauthenticated")


async def test_a_file_for_an_assignment_the_tracker_lacks_or_outside_the_callers_region_is_not_stored(
        intake, database):
    unknown = problem(await upload(intake, evidence.png(), measure_id="fuzhou-2022-99", unit="361002.government"),
                      404, "unknown-assignment")
    assert "没有措施 'fuzhou-2022-99' 交办给 '361002.government' 的任务" in unknown["detail"]
    problem(await upload(intake, evidence.png(), measure_id=MEASURE.measure_id, unit="361002.governmnet"), 404,
            "unknown-assignment")
    # 东乡区's client names its own region, but the assignment is 临川区's.
    elsewhere = problem(await upload(intake, evidence.png(), token=DONGXIANG, region="361003", **FOR_LINCHUAN), 403,
                        "outside-region")
    assert "属于区划 361002" in elsewhere["detail"]
    assert await stored_count(database) == (0, 0)
    # The city acts for 临川区: its upload for the assignment is stored.
    assert (await upload(intake, evidence.png(), token=CITY, region="361000", **FOR_LINCHUAN)).status_code == 201


async def test_a_report_citing_an_unknown_id_is_refused_and_one_citing_a_stored_file_carries_it(
        intake, settings_values):
    stored = (await upload(intake, evidence.workbook(), name="出庭应诉台账.xlsx")).json()
    refused = await intake.post("/v1/progress", json={**REPORT, "evidence_ids": [stored["id"], "no-such-file"]},
                                headers=bearer(LINCHUAN))
    document = problem(refused, 422, "unknown-evidence")
    assert "no-such-file" in document["detail"]
    assert [e["field"] for e in document["errors"]] == ["evidence_ids.1"]
    forged = await intake.post("/v1/progress", json={**REPORT, "evidence_files": [{**stored, "size": 1}]},
                               headers=bearer(LINCHUAN))
    assert forged.status_code == 422  # references are intake's to write, not the client's

    accepted = await intake.post("/v1/progress", json={**REPORT, "evidence": ["https://example.org/a.pdf"],
                                                       "evidence_ids": [stored["id"]]}, headers=bearer(LINCHUAN))
    assert accepted.status_code == 202, accepted.text
    [record] = await read_topic(settings_values["kafka_bootstrap_servers"],
                                topic(settings_values, "progress-reported"), expected=1)
    data = body(record)["data"]
    assert body(record)["id"] == accepted.json()["event_id"]
    assert data["evidence"] == ["https://example.org/a.pdf"]
    assert data["evidence_files"] == [{key: stored[key] for key in ("id", "name", "sha256", "content_type", "size")}]
    listed = await intake.get("/v1/evidence", params={"measure_id": REPORT["measure_id"], "unit": REPORT["unit"]},
                              headers=bearer(CITY))
    assert [each["id"] for each in listed.json()] == [stored["id"]]


async def test_a_batch_refuses_only_the_report_citing_an_unknown_id(intake, settings_values):
    stored = (await upload(intake, evidence.jpeg())).json()
    batch = await intake.post("/v1/progress:batch", headers=bearer(LINCHUAN), json={"reports": [
        {**REPORT, "evidence_ids": [stored["id"]]}, {**REPORT, "period": "2026-Q2", "evidence_ids": ["gone"]}]})
    items = batch.json()["items"]
    assert [item["status"] for item in items] == [202, 422]
    assert items[1]["problem"]["type"] == "/problems/unknown-evidence"
    records = await read_topic(settings_values["kafka_bootstrap_servers"],
                               topic(settings_values, "progress-reported"), expected=1)
    assert [body(r)["id"] for r in records] == [items[0]["event_id"]]


async def test_a_completion_request_citing_an_unknown_id_is_refused_before_anything_is_asked_or_published(
        intake, settings_values):
    refused = await intake.post("/v1/measures/fuzhou-2022-17/units/临川区政府:request-completion",
                                headers=bearer(LINCHUAN), json={"region_code": "361002", "by": "张三",
                                                                "narrative": "已完成", "evidence_ids": ["gone"]})
    assert "gone" in problem(refused, 422, "unknown-evidence")["detail"]
    assert await read_topic(settings_values["kafka_bootstrap_servers"],
                            topic(settings_values, "completion-requested"), expected=1, timeout_ms=2_000) == []
