"""assignment-updated on the real broker and database: one event per change, through the outbox, with stable ids."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka.errors import KafkaConnectionError

from services.tracker.main import create_app
from services.tracker.settings import TrackerSettings
from services.tracker.storage.states import AssignmentStates, Change
from services.tracker.usecases.progress import record_progress
from shared.contracts import (
    Measure,
    MeasureCreated,
    ProgressReport,
    ProgressReported,
    ProgressWithdrawal,
    ProgressWithdrawn,
)
from shared.kafka.broker import publish_event
from shared.kafka.topic_reading import read_from_start
from tests.support.apps import running
from tests.support.kafka import body, read_topic
from tests.support.waiting import eventually

MEASURE = Measure(measure_id="fuzhou-2022-17", plan_id="fuzhou-2022", region_code="361000", number=17,
                  title="加强行政应诉工作", lead_units=["市司法局"], responsible_units=["临川区政府", "东乡区政府"])
KEY = f"{MEASURE.measure_id}|临川区政府"
START = datetime(2026, 10, 1, 9, tzinfo=UTC)


def report(unit="临川区政府", percent=10.0, hours=0, period="2026-Q3", region_code="361002") -> ProgressReported:
    return ProgressReported.wrap(ProgressReport(
        measure_id=MEASURE.measure_id, unit=unit, region_code=region_code, period=period, percent_complete=percent,
        status="in_progress", reported_at=START + timedelta(hours=hours)), source="/test")


def withdrawal(event: ProgressReported) -> ProgressWithdrawn:
    r = event.data
    return ProgressWithdrawn.wrap(ProgressWithdrawal(
        event_id=event.id, measure_id=r.measure_id, unit=r.unit, region_code=r.region_code, period=r.period,
        reason="wrong figure", by="test"), source="/test")


@pytest.fixture
def tracker_settings(settings_values) -> TrackerSettings:
    return TrackerSettings(**settings_values, retry_backoff_seconds=0.05, outbox_interval_seconds=0.5)


@pytest.fixture
async def tracker(tracker_settings):
    app = create_app(tracker_settings)
    async with running(app):
        yield app


async def updates(settings_values, topics, expected: int, timeout_ms: int = 20_000) -> list[tuple[str, dict]]:
    """(Kafka key, event) of every assignment-updated published so far."""
    records = await read_topic(settings_values["kafka_bootstrap_servers"], topics.assignment_updated, expected,
                               timeout_ms=timeout_ms)
    return [(record.key.decode(), body(record)) for record in records]


async def events_of(settings_values, topics, key: str, expected: int, timeout_ms: int = 20_000) -> list[dict]:
    found = await updates(settings_values, topics, expected, timeout_ms)
    return [event for k, event in found if k == key]


async def send(publisher, topic: str, events, key) -> None:
    for event in events:
        await publish_event(publisher, topic, event, key(event))


async def test_a_report_publishes_exactly_one_update_and_redelivering_it_publishes_nothing(
    tracker, publisher, topics, settings_values, database
):
    await send(publisher, topics.measure_created, [MeasureCreated.wrap(MEASURE, source="/test")],
               lambda e: e.data.measure_id)
    created = await updates(settings_values, topics, expected=3)
    assert sorted((k, e["data"]["revision"], e["data"]["assigned"]) for k, e in created) == sorted(
        (f"{MEASURE.measure_id}|{unit}", 1, True) for unit in ("市司法局", "临川区政府", "东乡区政府"))
    event = report(percent=35.5)
    await send(publisher, topics.progress_reported, [event], lambda e: e.data.assignment_key)
    found = await updates(settings_values, topics, expected=4)
    assert len(found) == 4
    [(key, update)] = [(k, e) for k, e in found if e["data"]["revision"] == 2]
    assert key == KEY and update["id"] == f"{KEY}#2" and update["subject"] == KEY
    assert update["source"] == "/duban/tracker" and update["type"] == "assignment-updated"
    state = update["data"]
    assert (state["status"], state["percent_complete"], state["period"], state["role"], state["assigned"],
            state["removed"], state["report_event_id"], state["periods_reported"], state["region_code"]) == (
        "in_progress", 35.5, "2026-Q3", "responsible", True, False, event.id, ["2026-Q3"], "361002")

    # The same batch again (a redelivery after a crash before the commit): nothing changes, nothing is published.
    app_state = tracker.state
    assert await record_progress(app_state.tracker, [event]) == {}
    await send(publisher, topics.progress_reported, [event], lambda e: e.data.assignment_key)
    assert len(await updates(settings_values, topics, expected=5, timeout_ms=4_000)) == 4
    stored = await database["assignment_states"].find_one({"_id": KEY})
    assert stored["revision"] == 2 and stored["state"] == {k: v for k, v in state.items() if k != "revision"}
    assert "pending" not in stored and stored["outbox"] == []


async def test_a_withdrawal_publishes_the_next_current_report(tracker, publisher, topics, settings_values):
    await send(publisher, topics.measure_created, [MeasureCreated.wrap(MEASURE, source="/test")],
               lambda e: e.data.measure_id)
    older, newer = report(percent=20, period="2026-Q2"), report(percent=60, hours=5)
    await send(publisher, topics.progress_reported, [older, newer], lambda e: e.data.assignment_key)

    async def newer_published():
        events = await events_of(settings_values, topics, KEY, 1, timeout_ms=1_000)
        return any(e["data"]["report_event_id"] == newer.id for e in events)

    await eventually(newer_published)
    await send(publisher, topics.progress_withdrawn, [withdrawal(newer)], lambda e: e.data.assignment_key)

    async def withdrawn():
        events = await events_of(settings_values, topics, KEY, 1, timeout_ms=1_000)
        return events[-1] if events[-1]["data"]["report_event_id"] == older.id else None

    last = (await eventually(withdrawn))["data"]
    assert (last["percent_complete"], last["period"], last["periods_reported"]) == (20, "2026-Q2", ["2026-Q2"])
    revisions = [e["data"]["revision"] for e in await events_of(settings_values, topics, KEY, 1, timeout_ms=1_000)]
    assert revisions == list(range(1, len(revisions) + 1))


async def test_a_registry_that_resolves_a_unit_publishes_the_renamed_and_the_removed_assignment(
    tracker, publisher, topics, settings_values, database
):
    from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
    from shared.contracts import RegistryPublished

    await send(publisher, topics.measure_created, [MeasureCreated.wrap(MEASURE, source="/test")],
               lambda e: e.data.measure_id)
    justice = report(unit="市司法局", percent=65, region_code="361000")
    await send(publisher, topics.progress_reported, [justice], lambda e: e.data.assignment_key)
    by_name = f"{MEASURE.measure_id}|市司法局"

    async def reported_by_name():
        return [e for e in await events_of(settings_values, topics, by_name, 4, timeout_ms=1_000)
                if e["data"]["report_event_id"] == justice.id]

    reported = (await eventually(reported_by_name))[-1]["data"]
    registry = RegistryPublished.wrap(load_registry(DEMO_REGISTRY), source="/test")
    await publish_event(publisher, topics.registry_published, registry, "registry")
    by_id = f"{MEASURE.measure_id}|361000.justice"

    async def resolved():
        found = await updates(settings_values, topics, 1, timeout_ms=1_000)
        named = [e["data"] for k, e in found if k == by_id]
        gone = [e["data"] for k, e in found if k == by_name and e["data"]["removed"]]
        return (named[-1], gone[-1]) if named and gone else None

    state, removed = await eventually(resolved)
    assert (state["unit_name"], state["role"], state["assigned"], state["percent_complete"],
            state["report_event_id"]) == ("市司法局", "lead", True, 65, justice.id)
    assert (removed["assigned"], removed["report_event_id"], removed["revision"]) == (
        False, None, reported["revision"] + 1)
    # The removed state stays as a tombstone, so a return continues its revisions.
    assert (await database["assignment_states"].find_one({"_id": by_name}))["revision"] == removed["revision"]


async def test_events_the_broker_refused_are_published_later_with_the_same_ids(
    tracker, publisher, topics, settings_values, database
):
    outbox = tracker.state.publisher
    working = outbox.publish

    async def refusing(event, key):
        raise KafkaConnectionError("the broker refuses (test)")

    outbox.publish = refusing
    await send(publisher, topics.measure_created, [MeasureCreated.wrap(MEASURE, source="/test")],
               lambda e: e.data.measure_id)
    await send(publisher, topics.progress_reported, [report(percent=40)], lambda e: e.data.assignment_key)

    async def written_not_published():
        stored = await database["assignment_states"].find_one({"_id": KEY})
        return stored if stored and stored["state"]["percent_complete"] == 40 else None

    stored = await eventually(written_not_published)
    ids = [f"{KEY}#{revision}" for revision in range(1, stored["revision"] + 1)]
    assert [e["id"] for e in stored["outbox"]] == ids and stored["pending"] is True
    assert await updates(settings_values, topics, 1, timeout_ms=2_000) == []

    outbox.publish = working  # the broker takes them again: the next tick publishes what is pending
    found = await updates(settings_values, topics, 2 + len(ids))
    assert sorted(e["id"] for k, e in found if k == KEY) == ids
    assert [e["data"] for k, e in found if k == KEY][-1]["percent_complete"] == 40

    async def outbox_empty():
        return await database["assignment_states"].count_documents({"pending": True}) == 0

    await eventually(outbox_empty)


async def test_a_tracker_that_stops_publishes_what_its_last_batches_left_pending(
    settings_values, publisher, topics, database
):
    app = create_app(TrackerSettings(**settings_values, outbox_interval_seconds=3600))  # no pass but at the stop
    outbox = app.state.publisher
    working = outbox.publish

    async def refusing(event, key):
        raise KafkaConnectionError("the broker refuses (test)")

    outbox.publish = refusing
    async with running(app):
        await send(publisher, topics.measure_created, [MeasureCreated.wrap(MEASURE, source="/test")],
                   lambda e: e.data.measure_id)
        await send(publisher, topics.progress_reported, [report(percent=40)], lambda e: e.data.assignment_key)

        async def written_not_published():
            stored = await database["assignment_states"].find_one({"_id": KEY})
            return stored if stored and stored["state"]["percent_complete"] == 40 and stored["pending"] else None

        stored = await eventually(written_not_published)
        outbox.publish = working  # the broker takes them again, and the tracker is stopped before any pass
    assert await database["assignment_states"].count_documents({"pending": True}) == 0
    found = await updates(settings_values, topics, 3)
    assert sorted(e["id"] for k, e in found if k == KEY) == [f"{KEY}#{r}" for r in range(1, stored["revision"] + 1)]


async def test_two_trackers_in_one_group_end_with_the_state_one_tracker_builds(
    tracker_settings, publisher, topics, settings_values, database
):
    from services.tracker.usecases.rebuild import rebuild
    from services.tracker.usecases.rebuild import report as rebuild_report
    from tests.support.streams import measures, produce, reports

    bootstrap = settings_values["kafka_bootstrap_servers"]
    rng = random.Random(23)
    measure_events = measures(count=6, units_per_measure=4)
    first, second = reports(measure_events, 1_500, seed=29), reports(measure_events, 300, seed=31)
    withdrawals = [withdrawal(event) for event in rng.sample(first, k=200)]
    async with running(create_app(tracker_settings)), running(create_app(tracker_settings)):
        await produce(bootstrap, topics.measure_created, measure_events, lambda e: e.data.measure_id)
        await produce(bootstrap, topics.progress_reported, first, lambda e: e.data.assignment_key)

        async def first_applied():
            return await database["progress_reports"].count_documents({}) == len(first)

        await eventually(first_applied, timeout=240, interval=1)
        mixed = [*withdrawals, *second]
        rng.shuffle(mixed)
        await produce(bootstrap, topics.progress_withdrawn, [e for e in mixed if isinstance(e, ProgressWithdrawn)],
                      lambda e: e.data.assignment_key)
        await produce(bootstrap, topics.progress_reported, [e for e in mixed if isinstance(e, ProgressReported)],
                      lambda e: e.data.assignment_key)

        async def all_applied():
            states = database["assignment_states"]
            return (await database["progress_reports"].count_documents({}) == len(first) + len(second)
                    and await database["progress_reports"].count_documents({"withdrawn": {"$exists": True}}) == 200
                    and await states.count_documents({"pending": True}) == 0
                    and await states.count_documents({}) > 0)

        await eventually(all_applied, timeout=240, interval=1)
    # A batch applied is followed by its states' decision, which may still be under way when the counts are
    # reached: a tracker stops consuming first and then publishes what its last batches owed, so none is pending.
    assert await database["assignment_states"].count_documents({"pending": True}) == 0
    rebuilt = f"{database.name}-one"
    try:
        result = await rebuild(TrackerSettings(**settings_values, batch_size=200), into=rebuilt)
        assert result.identical, "\n".join(rebuild_report(result))
    finally:
        await database.client.drop_database(rebuilt)
    # What a consumer keeping the highest revision per key ends with is the stored state: every update up to the
    # topic's end offsets (a read that stops at its first fetch may see only part of a partition).
    latest: dict[str, dict] = {}
    async for batch in read_from_start(bootstrap, topics.assignment_updated):
        for key, event in ((record.key.decode(), body(record)) for record in batch):
            if key not in latest or event["data"]["revision"] > latest[key]["revision"]:
                latest[key] = event["data"]
    stored = {d["_id"]: {**d["state"], "revision": d["revision"]} async for d in database["assignment_states"].find()}
    differing = {key: (latest.get(key), stored.get(key)) for key in latest.keys() | stored.keys()
                 if latest.get(key) != stored.get(key)}
    assert not differing, f"(highest published, stored) of {len(differing)} keys: {differing}"


async def test_a_name_mapped_by_an_operator_publishes_the_mapped_assignment_and_removes_the_name(
    tracker_settings, publisher, topics, settings_values
):
    from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
    from shared.contracts import RegistryPublished

    measure = MEASURE.model_copy(update={"lead_units": ["立法项目起草部门"], "responsible_units": []})
    by_name, by_id = f"{measure.measure_id}|立法项目起草部门", f"{measure.measure_id}|361000.justice"
    async with running(create_app(tracker_settings)) as client:
        registry = RegistryPublished.wrap(load_registry(DEMO_REGISTRY), source="/test")
        await publish_event(publisher, topics.registry_published, registry, "registry")

        async def registry_stored():
            return (await client.get("/v1/regions/361000")).status_code == 200

        await eventually(registry_stored)
        await send(publisher, topics.measure_created, [MeasureCreated.wrap(measure, source="/test")],
                   lambda e: e.data.measure_id)

        async def unresolved_published():
            return await events_of(settings_values, topics, by_name, 1, timeout_ms=1_000)

        [unresolved] = await eventually(unresolved_published)
        assert (unresolved["data"]["assigned"], unresolved["data"]["unit_name"]) == (True, "立法项目起草部门")
        mapped = await client.put("/v1/unit-mappings/立法项目起草部门", json={"unit_ids": ["361000.justice"]})
        assert mapped.status_code == 200 and mapped.json()["measures"] == [measure.measure_id]

        async def remapped():
            found = await updates(settings_values, topics, 3, timeout_ms=1_000)
            states = [e["data"] for k, e in found if k in (by_name, by_id)]
            return states if len(states) == 3 else None

        states = {(s["unit"], s["revision"]): s for s in await eventually(remapped)}
        assert states[("361000.justice", 1)]["assigned"] and states[("361000.justice", 1)]["role"] == "lead"
        assert states[("立法项目起草部门", 2)]["removed"]


async def test_a_published_outbox_is_emptied_in_one_write_unless_a_newer_event_was_pushed_after_it_was_read(database):
    states = AssignmentStates(database)
    await states.ensure_indexes()

    def change(key: str, revision: int) -> Change:
        state = {"measure_id": MEASURE.measure_id, "removed": False}
        return Change(key, revision, state, {"id": f"{key}#{revision}", "data": {"revision": revision}})

    await states.write([change("m|a", 1), change("m|b", 1)])
    await states.write([change("m|a", 2)])
    read = {key: (revision, [event["id"] for event in outbox]) for key, revision, outbox in await states.pending(10)}
    assert read == {"m|a": (2, ["m|a#1", "m|a#2"]), "m|b": (1, ["m|b#1"])}
    await states.write([change("m|b", 2)])  # pushed after the read, before the acknowledgement

    await states.published({key: ids for key, (_, ids) in read.items()},
                           {key: revision for key, (revision, _) in read.items()})
    stored = {d["_id"]: d async for d in database["assignment_states"].find()}
    assert stored["m|a"]["outbox"] == [] and "pending" not in stored["m|a"]
    assert [e["id"] for e in stored["m|b"]["outbox"]] == ["m|b#2"] and stored["m|b"]["pending"] is True
