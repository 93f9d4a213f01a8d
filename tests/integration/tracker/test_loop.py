"""The supervision loop through the real broker and database: steps on their five topics in any order end in the
same state, published in assignment-updated; a refused step is dead-lettered with the reason and shown refused."""

from datetime import UTC, datetime, timedelta

import pytest

from services.tracker.main import create_app
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.rebuild import rebuild, report
from shared.contracts import (
    AssignmentSigned,
    AssignmentSigning,
    CompletionRequest,
    CompletionRequested,
    CompletionReturn,
    CompletionReturned,
    CompletionVerification,
    CompletionVerified,
    Measure,
    MeasureCreated,
)
from shared.kafka.broker import publish_event
from tests.support import rebuilding
from tests.support.apps import running
from tests.support.kafka import body, headers, read_topic
from tests.support.waiting import eventually

MEASURE = Measure(measure_id="fuzhou-2022-17", plan_id="fuzhou-2022", region_code="361000", number=17,
                  title="加强行政应诉工作", lead_units=["市司法局"], responsible_units=["临川区政府", "东乡区政府"])
UNIT = "临川区政府"
ASSIGNMENT = {"measure_id": MEASURE.measure_id, "unit": UNIT, "region_code": "361002"}
START = datetime(2026, 10, 1, 9, tzinfo=UTC)

# The database a rebuild goes into (tests/support/rebuilding.py).
rebuilt = rebuilding.rebuilt


def at(hours: int) -> datetime:
    return START + timedelta(hours=hours)


def signed(hours: int = 0) -> AssignmentSigned:
    return AssignmentSigned.wrap(AssignmentSigning(**ASSIGNMENT, by="张三", signed_at=at(hours)), source="/test")


def requested(hours: int) -> CompletionRequested:
    return CompletionRequested.wrap(CompletionRequest(**ASSIGNMENT, by="张三", requested_at=at(hours),
                                                      narrative="已全部完成", evidence=["应诉台账.xlsx"]),
                                    source="/test")


def verified(hours: int, verifier_unit: str = "市司法局") -> CompletionVerified:
    return CompletionVerified.wrap(CompletionVerification(**ASSIGNMENT, by="李四", verifier="lead_unit",
                                                          verifier_unit=verifier_unit, verified_at=at(hours)),
                                   source="/test")


def returned(hours: int) -> CompletionReturned:
    return CompletionReturned.wrap(CompletionReturn(**ASSIGNMENT, by="李四", verifier="lead_unit",
                                                    verifier_unit="市司法局", returned_at=at(hours),
                                                    reason="缺少佐证材料"), source="/test")


@pytest.fixture
async def tracker(settings_values):
    settings = TrackerSettings(**settings_values, retry_backoff_seconds=0.05, outbox_interval_seconds=0.5)
    async with running(create_app(settings)) as client:
        yield client


async def publish(publisher, topics, *events) -> None:
    for event in events:
        await publish_event(publisher, topics.for_loop_event(event.type), event, event.data.assignment_key)


async def timeline_of(tracker) -> dict:
    return (await tracker.get(f"/v1/measures/{MEASURE.measure_id}/units/{UNIT}/timeline")).json()


async def create_measure(tracker, publisher, topics) -> None:
    """The measure, applied: a step on an assignment the tracker lacks is retried, then dead-lettered."""
    await publish_event(publisher, topics.measure_created, MeasureCreated.wrap(MEASURE, source="/test"),
                        MEASURE.measure_id)

    async def assigned():
        return (await tracker.get(f"/v1/measures/{MEASURE.measure_id}/units/{UNIT}/timeline")).status_code == 200

    await eventually(assigned)


async def test_steps_delivered_backwards_end_closed_out_and_assignment_updated_says_so_and_rebuild_alike(
    tracker, publisher, topics, settings_values, rebuilt
):
    await create_measure(tracker, publisher, topics)
    steps = [signed(0), requested(1), returned(2), requested(3), verified(4)]
    await publish(publisher, topics, *reversed(steps))  # each waits, retried, for the ones before it

    async def closed_out():
        found = await timeline_of(tracker)
        return found if len(found["steps"]) == len(steps) and found["loop_state"] == "closed_out" else None

    found = await eventually(closed_out)
    assert [(step["event_id"], step["counted"]) for step in found["steps"]] == [(s.id, True) for s in steps]
    assert (found["signed_at"], found["completion_requested_at"], found["closed_out_at"], found["returned_count"]) == (
        "2026-10-01T09:00:00Z", "2026-10-01T12:00:00Z", "2026-10-01T13:00:00Z", 1)
    assert found["steps"][2]["reason"] == "缺少佐证材料" and found["steps"][1]["evidence"] == ["应诉台账.xlsx"]

    async def published_closed_out():
        # Consumers keep the highest revision (`<key>#<revision>`): the outbox sends a page at once, so an
        # intermediate revision (closed out before the earlier request and return arrived) may land after it.
        records = await read_topic(settings_values["kafka_bootstrap_servers"], topics.assignment_updated, 1, 2_000)
        mine = sorted((body(r) for r in records if body(r)["subject"] == f"{MEASURE.measure_id}|{UNIT}"),
                      key=lambda event: int(event["id"].rsplit("#", 1)[1]))
        last = mine[-1]["data"] if mine else {}
        return [event["data"] for event in mine] if (last.get("loop_state"), last.get("returned_count")) == (
            "closed_out", 1) else None

    last = (await eventually(published_closed_out))[-1]
    assert (last["closed_out_at"], last["returned_count"]) == ("2026-10-01T13:00:00Z", 1)

    result = await rebuild(TrackerSettings(**settings_values), into=rebuilt.name)
    assert result.identical, "\n".join(report(result))
    assert await rebuilt["loop_steps"].count_documents({}) == len(steps)


async def test_a_step_that_may_not_be_taken_is_dead_lettered_with_the_reason_and_shown_refused(
    tracker, publisher, topics, settings_values
):
    await create_measure(tracker, publisher, topics)
    first, again, own = signed(0), signed(1), verified(2, verifier_unit=UNIT)
    await publish(publisher, topics, first, again, own)
    dead = await read_topic(settings_values["kafka_bootstrap_servers"], topics.dead_letter, expected=2)
    reasons = {body(r)["id"]: headers(r)["dlq-reason"] for r in dead}
    assert reasons[again.id].endswith(
        "assignment-signed 未采纳（conflict）：已于 2026-10-01 17:00 签收，不能重复签收")
    assert f"{UNIT} 不能核查本单位的办结" in reasons[own.id]
    found = await timeline_of(tracker)
    assert found["loop_state"] == "signed"
    assert [(s["event_id"], s["counted"], (s["refusal"] or {}).get("kind")) for s in found["steps"]] == [
        (first.id, True, None), (again.id, False, "conflict"), (own.id, False, "not_allowed")]

    judged = await tracker.post("/v1/loop-steps:judge", json=requested(3).model_dump(mode="json"))
    assert judged.json() == {"counts": True, "kind": None, "reason": None}
    judged = await tracker.post("/v1/loop-steps:judge", json=verified(3).model_dump(mode="json"))
    assert judged.json() == {"counts": False, "kind": "conflict",
                             "reason": "没有等待核查的办结申请"}
    unknown = signed(3).model_copy(update={"data": signed(3).data.model_copy(update={"unit": "无此单位"})})
    assert (await tracker.post("/v1/loop-steps:judge", json=unknown.model_dump(mode="json"))).status_code == 404
