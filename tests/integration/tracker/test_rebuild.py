"""`duban tracker rebuild`: the state recomputed from the topics equals what the live tracker built."""

import asyncio
import random

from faststream.kafka import KafkaBroker

from cli.main import main
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.rebuild import COLLECTIONS, comparable, compare_databases, rebuild, report
from shared.contracts import ProgressReported
from tests.integration.tracker import test_tracker as tracker_tests
from tests.support import rebuilding
from tests.support.kafka import read_topic
from tests.support.rebuilding import documents
from tests.support.streams import expected_state, measures, produce, reports, stored_state
from tests.support.waiting import eventually

# The tracker test's fixture: the tracker app in this process (database and topics are conftest's).
tracker = tracker_tests.tracker

# The database a rebuild goes into (tests/support/rebuilding.py).
rebuilt = rebuilding.rebuilt


async def test_a_rebuild_from_the_topics_is_identical_to_the_live_state(
    tracker, database, rebuilt, topics, settings_values, capsys
):
    bootstrap = settings_values["kafka_bootstrap_servers"]
    rng = random.Random(5)
    measure_events = measures(count=8, units_per_measure=4)
    events = reports(measure_events, 400, seed=13)
    delivered = events + rng.sample(events, k=80)  # 80 delivered twice
    rng.shuffle(delivered)
    orphan = ProgressReported.wrap(events[0].data.model_copy(update={"measure_id": "no-such-measure"}), source="/t")
    await produce(bootstrap, topics.measure_created, measure_events + measure_events[:3],
                  lambda e: e.data.measure_id)
    await produce(bootstrap, topics.progress_reported, delivered + [orphan], lambda e: e.data.assignment_key)
    async with KafkaBroker(bootstrap) as publisher:
        await publisher.publish(b"not json", topics.progress_reported, key=b"x")

    expected = expected_state(events)

    async def caught_up():
        return (await stored_state(database) == expected
                and await database["progress_reports"].count_documents({}) == len(events))

    await eventually(caught_up, timeout=60)
    assert len(await read_topic(bootstrap, topics.dead_letter, expected=2)) == 2  # the orphan and "not json"

    result = await rebuild(TrackerSettings(**settings_values, batch_size=50), into=rebuilt.name)
    assert result.identical, "\n".join(report(result))
    assert result.read == {topics.measure_created: 11, topics.progress_reported: 482}
    assert result.applied == {topics.measure_created: 11, topics.progress_reported: 480}
    assert sorted(skipped.reason.split(" ")[0] for skipped in result.skipped) == ["contract", "failed"]
    for name in COLLECTIONS:  # the comparison's verdict, checked independently
        assert await comparable(name, rebuilt[name]) == await comparable(name, database[name]), name
    # The states as the live tracker published them (revisions aside: they count its batches) are rebuilt too.
    assert await database["assignment_states"].count_documents({}) == 8 * 4
    assert await stored_state(rebuilt) == expected

    # A difference is found and named.
    some_key = (await documents(rebuilt, "period_progress"))[0]["_id"]
    await rebuilt["period_progress"].update_one({"_id": some_key}, {"$set": {"percent_complete": -1.0}})
    await rebuilt["measures"].delete_one({"_id": "m001"})
    differences = {d.name: d for d in await compare_databases(database, rebuilt)}
    assert differences["period_progress"].differing == [some_key] and differences["measures"].missing == ["m001"]
    assert [name for name, d in differences.items() if d.identical] == [
        "registry", "unit_mappings", "assignments", "progress_reports", "assignment_progress", "report_conflicts",
        "loop_steps", "assignment_states"]

    # The command: rebuilds again (dropping the damaged copy first) and says so.
    await asyncio.to_thread(main, [
        "tracker", "rebuild", "--into", rebuilt.name, "--bootstrap", bootstrap,
        "--topic-prefix", settings_values["topic_prefix"], "--mongodb-url", settings_values["mongodb_url"],
        "--database", database.name])
    out = capsys.readouterr().out
    assert "IDENTICAL: the rebuilt collections equal the live ones" in out, out
    assert f"DUBAN_MONGODB_DATABASE={rebuilt.name}" in out and "482 records read, 480 applied" in out


async def test_a_registry_published_after_the_reports_rebuilds_to_the_same_state(
    tracker, database, rebuilt, topics, settings_values
):
    from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
    from shared.contracts import RegistryPublished
    from shared.kafka.broker import publish_event

    bootstrap = settings_values["kafka_bootstrap_servers"]
    measure_events = measures(count=3, units_per_measure=3)
    events = reports(measure_events, 60, seed=17)
    await produce(bootstrap, topics.measure_created, measure_events, lambda e: e.data.measure_id)
    await produce(bootstrap, topics.progress_reported, events, lambda e: e.data.assignment_key)

    async def all_applied():
        return await database["progress_reports"].count_documents({}) == len(events)

    await eventually(all_applied, timeout=60)
    async with KafkaBroker(bootstrap) as publisher:  # the registry arrives last, live
        registry = RegistryPublished.wrap(load_registry(DEMO_REGISTRY), source="/test")
        await publish_event(publisher, topics.registry_published, registry, "registry")

    async def rekeyed():
        return await database["assignment_progress"].count_documents({"unit": "361000.justice"}) == 3

    await eventually(rekeyed, timeout=60)
    result = await rebuild(TrackerSettings(**settings_values), into=rebuilt.name)
    assert result.identical, "\n".join(report(result))
