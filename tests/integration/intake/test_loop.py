"""The supervision loop's routes on intake, with a real tracker judging and applying the steps: accepted steps reach
the tracker's loop, refused ones are answered with problem documents (403 outside the region, 409 where the loop
does not stand for the step, 422 for a unit checking itself or an unknown assignment), a retry with the same
Idempotency-Key gets the first event id back; a completion request's evidence files reach the assignment's state."""

import re

import httpx
import pytest

from shared.contracts import Measure
from shared.web.clients import new_token
from tests.support.intake import (
    assigned_by_tracker,
    clients_file,
    running_intake,
    serving_tracker,
    timeline_of,
    topic,
)
from tests.support.kafka import body, read_topic
from tests.support.waiting import eventually

CITY, LINCHUAN = new_token(), new_token()
MEASURE = Measure(measure_id="fuzhou-2022-17", plan_id="fuzhou-2022", region_code="361000", number=17,
                  title="加强行政应诉工作", lead_units=["市司法局"], responsible_units=["临川区政府", "东乡区政府"])
STEPS = f"/v1/measures/{MEASURE.measure_id}/units"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tracker_url(settings_values):
    with serving_tracker(settings_values) as url:
        yield url


@pytest.fixture
async def intake(settings_values, tracker_url, tmp_path):
    await assigned_by_tracker(settings_values, tracker_url, MEASURE, "临川区政府")
    clients = clients_file(tmp_path / "clients.yaml", [("fuzhou-office", "抚州市依法治市办", "361000", CITY),
                                                        ("linchuan-zwfw", "临川区政务服务平台", "361002", LINCHUAN)])
    async with running_intake(settings_values, tracker_url=tracker_url, clients_file=clients) as client:
        yield client


async def reaches(tracker_url: str, loop_state: str) -> dict:
    async def reached():
        found = await timeline_of(tracker_url, MEASURE.measure_id, "临川区政府")
        return found if found["loop_state"] == loop_state else None

    return await eventually(reached)


def problem(response: httpx.Response, status: int, slug: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"/problems/{slug}"
    return response.json()["detail"]


async def published_state(settings_values) -> dict:
    """The latest assignment-updated of 临川区政府's assignment, once the tracker's outbox sent it."""
    async def latest():
        records = await read_topic(settings_values["kafka_bootstrap_servers"],
                                   topic(settings_values, "assignment-updated"), expected=1, timeout_ms=2_000)
        states = [body(r)["data"] for r in records if body(r)["data"]["unit"] == "临川区政府"]
        newest = max(states, key=lambda state: state["revision"], default=None)
        return newest if newest and newest["loop_state"] == "completion_requested" else None

    return await eventually(latest)


async def test_a_loop_through_intake_accepted_refused_and_retried(intake, tracker_url, settings_values):
    signing = {"region_code": "361002", "by": "张三"}
    first = await intake.post(f"{STEPS}/临川区政府:sign", json=signing,
                              headers={**bearer(LINCHUAN), "Idempotency-Key": "sign-1"})
    assert first.status_code == 202, first.text
    assert first.json()["type"] == "assignment-signed" and first.json()["topic"].endswith("assignment-signed")
    signed = await reaches(tracker_url, "signed")
    assert signed["steps"][0]["by"] == "张三" and signed["steps"][0]["event_id"] == first.json()["event_id"]

    retried = await intake.post(f"{STEPS}/临川区政府:sign", json=signing,
                                headers={**bearer(LINCHUAN), "Idempotency-Key": "sign-1"})
    assert (retried.status_code, retried.json()["event_id"]) == (202, first.json()["event_id"])
    again = problem(
        await intake.post(f"{STEPS}/临川区政府:sign", json=signing, headers=bearer(LINCHUAN)), 409, "loop-conflict")
    assert re.fullmatch(r"已于 \d{4}-\d\d-\d\d \d\d:\d\d 签收，不能重复签收", again), again  # China time, for people
    problem(await intake.post(f"{STEPS}/东乡区政府:sign", json={"region_code": "361003", "by": "赵六"},
                              headers=bearer(LINCHUAN)), 403, "outside-region")
    problem(await intake.post(f"{STEPS}/无此单位:sign", json=signing, headers=bearer(LINCHUAN)), 422,
            "unknown-assignment")
    problem(await intake.post(f"{STEPS}/临川区政府:sign", json={"by": "张三"}, headers=bearer(LINCHUAN)), 422,
            "validation-error")

    file = ("整改会议纪要.txt", "会议纪要：已整改".encode(), "text/plain")
    minutes = (await intake.post("/v1/evidence", headers=bearer(LINCHUAN), data={"region_code": "361002"},
                                 files={"file": file})).json()
    requested = await intake.post(f"{STEPS}/临川区政府:request-completion", headers=bearer(LINCHUAN), json={
        **signing, "narrative": "已全部完成", "evidence": ["应诉台账.xlsx"], "evidence_ids": [minutes["id"]]})
    assert requested.status_code == 202, requested.text
    await reaches(tracker_url, "completion_requested")
    # The tracker keeps the request's evidence on the assignment's state, as references.
    reference = {key: minutes[key] for key in ("id", "name", "sha256", "content_type", "size")}
    assert (await published_state(settings_values))["evidence_files"] == [reference]

    checking = {"region_code": "361002", "by": "李四", "verifier": "lead_unit", "verifier_unit": "市司法局"}
    own = {**checking, "verifier": "supervising_office", "verifier_unit": "临川区政府"}
    assert "不能核查本单位的办结" in problem(
        await intake.post(f"{STEPS}/临川区政府:verify", json=own, headers=bearer(LINCHUAN)), 422, "loop-not-allowed")
    verified = await intake.post(f"{STEPS}/临川区政府:verify", json={**checking, "remark": "材料齐全"},
                                 headers=bearer(CITY))
    assert verified.status_code == 202, verified.text
    closed = await reaches(tracker_url, "closed_out")
    assert [step["type"] for step in closed["steps"]] == [
        "assignment-signed", "completion-requested", "completion-verified"]
    assert "没有等待核查的办结申请" in problem(
        await intake.post(f"{STEPS}/临川区政府:return", json={**checking, "reason": "材料不全"}, headers=bearer(CITY)),
        409, "loop-conflict")
    reopened = await intake.post(f"{STEPS}/临川区政府:reopen", json={**checking, "reason": "复核发现未完成"},
                                 headers=bearer(CITY))
    assert reopened.status_code == 202, reopened.text
    assert (await reaches(tracker_url, "in_progress"))["closed_out_at"] is None
