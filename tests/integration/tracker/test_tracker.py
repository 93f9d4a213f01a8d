"""The tracker against the real broker and database: events in, exact state out."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from services.tracker.main import create_app
from services.tracker.settings import TrackerSettings
from shared.contracts import Measure, MeasureCreated, ProgressReport, ProgressReported
from shared.kafka.broker import publish_event
from tests.support.apps import running
from tests.support.kafka import body, headers, read_topic
from tests.support.waiting import eventually

MEASURE = Measure(
    measure_id="fuzhou-2022-17", plan_id="fuzhou-2022", region_code="361000", number=17, title="加强行政应诉工作",
    lead_units=["市司法局"], responsible_units=["临川区政府", "东乡区政府"],
    deadlines=[{"text": "2026年底前", "date": "2026-12-31"}],
)
START = datetime(2026, 10, 1, 9, tzinfo=UTC)


def report(unit="临川区政府", percent=10.0, hours=0, status="in_progress", period="2026-Q3") -> ProgressReport:
    return ProgressReport(measure_id=MEASURE.measure_id, unit=unit, region_code="361002", period=period,
                          percent_complete=percent, status=status, reported_at=START + timedelta(hours=hours))


@pytest.fixture
async def tracker(settings_values):
    settings = TrackerSettings(**settings_values, retry_backoff_seconds=0.05)
    async with running(create_app(settings)) as client:
        yield client


async def publish_measure(publisher, topics, measure=MEASURE) -> None:
    event = MeasureCreated.wrap(measure, source="/test")
    await publish_event(publisher, topics.measure_created, event, measure.measure_id)


async def publish_reports(publisher, topics, events: list[ProgressReported]) -> None:
    for event in events:
        await publish_event(publisher, topics.progress_reported, event, event.data.assignment_key)


async def assignment(tracker, unit: str) -> dict | None:
    response = await tracker.get(f"/v1/measures/{MEASURE.measure_id}")
    if response.status_code != 200:
        return None
    # None until the measure's assignments are written (just after the measure itself).
    return next((a for a in response.json()["assignments"] if a["unit"] == unit), None)


async def test_a_measure_becomes_one_assignment_per_unit_and_a_report_sets_its_state(tracker, publisher, topics):
    await publish_measure(publisher, topics)
    await publish_reports(publisher, topics, [ProgressReported.wrap(report(percent=35.5), source="/test")])

    async def reported():
        state = await assignment(tracker, "临川区政府")
        return state if state and state["reported_at"] else None

    state = await eventually(reported)
    assert (state["status"], state["percent_complete"], state["period"], state["role"]) == (
        "in_progress", 35.5, "2026-Q3", "responsible")
    measure = (await tracker.get(f"/v1/measures/{MEASURE.measure_id}")).json()
    assert {(a["unit"], a["role"], a["status"]) for a in measure["assignments"]} == {
        ("市司法局", "lead", "not_started"), ("临川区政府", "responsible", "in_progress"),
        ("东乡区政府", "responsible", "not_started")}


async def test_duplicates_and_shuffled_delivery_leave_the_newest_report_current_and_each_once_in_history(
    tracker, publisher, topics, database
):
    events = [ProgressReported.wrap(report(percent=10.0 * hour, hours=hour), source="/test") for hour in range(1, 9)]
    delivered = events + random.sample(events, k=len(events))  # every event twice, the second time shuffled
    random.shuffle(delivered)
    # One assignment's reports share a partition, so once this last one is applied, all before it are too.
    sentinel = ProgressReported.wrap(report(percent=5.0, hours=-24, period="2026-Q2"), source="/test")
    await publish_measure(publisher, topics)
    await publish_reports(publisher, topics, [*delivered, sentinel])

    async def sentinel_applied():
        return await database["period_progress"].count_documents({"event_id": sentinel.id})

    await eventually(sentinel_applied)
    state = await assignment(tracker, "临川区政府")
    assert (state["percent_complete"], state["period"]) == (80.0, "2026-Q3")
    assert datetime.fromisoformat(state["reported_at"]) == events[-1].data.reported_at
    history = (await tracker.get(f"/v1/measures/{MEASURE.measure_id}/units/临川区政府/reports")).json()
    assert [r["event_id"] for r in history] == [sentinel.id] + [e.id for e in events]


async def test_bad_messages_go_to_the_dead_letter_topic_with_the_reason_and_good_ones_still_apply(
    tracker, publisher, topics, settings_values
):
    await publish_measure(publisher, topics)
    await publisher.publish(b'{"not": "a cloudevent"}', topics.progress_reported, key=b"x", headers={"origin": "test"})
    unknown = ProgressReported.wrap(report().model_copy(update={"measure_id": "no-such-measure"}), source="/test")
    await publish_reports(publisher, topics, [unknown, ProgressReported.wrap(report(percent=50), source="/test")])

    async def applied():
        state = await assignment(tracker, "临川区政府")
        return state and state["percent_complete"] == 50

    await eventually(applied)
    dead = await read_topic(settings_values["kafka_bootstrap_servers"], topics.dead_letter, expected=2)
    reasons = {headers(r)["dlq-reason"].split(":")[0]: r for r in dead}
    assert set(reasons) == {"contract violation (ProgressReported)", "failed after 5 attempts"}
    malformed = reasons["contract violation (ProgressReported)"]
    assert malformed.value == b'{"not": "a cloudevent"}' and headers(malformed)["origin"] == "test"
    assert headers(malformed)["dlq-source-topic"] == topics.progress_reported
    assert body(reasons["failed after 5 attempts"])["id"] == unknown.id
    assert "no-such-measure" in headers(reasons["failed after 5 attempts"])["dlq-reason"]


async def test_a_registry_published_after_the_reports_rekeys_them_so_arrival_order_does_not_matter(
    tracker, publisher, topics, database
):
    from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
    from shared.contracts import RegistryPublished

    await publish_measure(publisher, topics)
    justice = report(unit="市司法局", percent=65).model_copy(update={"region_code": "361000"})
    await publish_reports(publisher, topics, [ProgressReported.wrap(justice, source="/test")])

    async def reported_by_name():
        return (state := await assignment(tracker, "市司法局")) and state["percent_complete"] == 65

    await eventually(reported_by_name)
    registry = RegistryPublished.wrap(load_registry(DEMO_REGISTRY), source="/test")
    await publish_event(publisher, topics.registry_published, registry, "registry")

    async def rekeyed():
        state = await assignment(tracker, "361000.justice")
        return state if state and state["percent_complete"] == 65 else None

    state = await eventually(rekeyed)
    assert (state["unit_name"], state["role"]) == ("市司法局", "lead")
    assert await assignment(tracker, "市司法局") is None
    assert await database["progress_reports"].distinct("unit") == ["361000.justice"]
    assert await database["period_progress"].count_documents({}) == 1
    # A registry unit without assignments has none; a unit the registry lacks is not found.
    assert (await tracker.get("/v1/units/361002.justice/assignments")).json() == []
    unknown = await tracker.get("/v1/units/no-such-unit/assignments")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
