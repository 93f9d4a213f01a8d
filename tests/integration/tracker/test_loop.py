"""The supervision loop through the real broker and database: steps on their five topics in any order end in the
same state, published in assignment-updated; a refused step is dead-lettered with the reason and shown refused."""

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
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
    RegistryPublished,
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


def signed(hours: int = 0, unit: str = UNIT) -> AssignmentSigned:
    return AssignmentSigned.wrap(AssignmentSigning(**ASSIGNMENT | {"unit": unit}, by="张三", signed_at=at(hours)),
                                 source="/test")


def requested(hours: int, unit: str = UNIT) -> CompletionRequested:
    return CompletionRequested.wrap(CompletionRequest(**ASSIGNMENT | {"unit": unit}, by="张三", requested_at=at(hours),
                                                      narrative="已全部完成", evidence=["应诉台账.xlsx"]),
                                    source="/test")


def verified(hours: int, verifier_unit: str = "市司法局", unit: str = UNIT) -> CompletionVerified:
    verification = CompletionVerification(**ASSIGNMENT | {"unit": unit}, by="李四", verifier="lead_unit",
                                          verifier_unit=verifier_unit, verified_at=at(hours))
    return CompletionVerified.wrap(verification, source="/test")


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


async def test_with_a_registry_a_verifier_unit_it_lacks_or_outside_the_callers_region_is_refused(
    tracker, publisher, topics, settings_values
):
    await publish_event(publisher, topics.registry_published,
                        RegistryPublished.wrap(load_registry(DEMO_REGISTRY), source="/test"), "registry")
    await eventually(lambda: registry_applied(tracker))
    unit = "361002.government"  # 临川区政府 as the registry keys it
    await publish_event(publisher, topics.measure_created, MeasureCreated.wrap(MEASURE, source="/test"),
                        MEASURE.measure_id)
    await publish(publisher, topics, signed(0, unit), requested(1, unit))

    async def waiting():
        found = await tracker.get(f"/v1/measures/{MEASURE.measure_id}/units/{unit}/timeline")
        return found.status_code == 200 and found.json()["loop_state"] == "completion_requested"

    await eventually(waiting)

    async def judged(event, acting_for: str | None = None) -> dict:
        params = {} if acting_for is None else {"acting_for": acting_for}
        return (await tracker.post("/v1/loop-steps:judge", json=event.model_dump(mode="json"), params=params)).json()

    typo = verified(2, "市司法具", unit)
    assert await judged(typo) == {"counts": False, "kind": "not_allowed", "reason": (
        "completion-verified：核查单位 '市司法具' 不在单位名录中：请填写名录中的单位名称或编号")}
    by_the_city = verified(2, "361000.justice", unit)
    assert (await judged(by_the_city, "361002"))["reason"].endswith("属于区划 361000，不在区划 361002 及其下级")
    assert (await judged(by_the_city, "361000"))["counts"] is True

    await publish(publisher, topics, typo)  # straight to Kafka: the same rule, dead-lettered, not kept
    dead = await read_topic(settings_values["kafka_bootstrap_servers"], topics.dead_letter, expected=1)
    assert "不在单位名录中" in headers(dead[0])["dlq-reason"] and body(dead[0])["id"] == typo.id
    found = (await tracker.get(f"/v1/measures/{MEASURE.measure_id}/units/{unit}/timeline")).json()
    assert typo.id not in {step["event_id"] for step in found["steps"]}
    assert found["loop_state"] == "completion_requested"


async def registry_applied(tracker) -> bool:
    return (await tracker.get("/v1/regions/361002")).status_code == 200
