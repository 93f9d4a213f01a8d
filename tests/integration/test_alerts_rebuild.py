"""alerts' inputs rebuilt from the topics (registry-published, measure-created, assignment-updated) equal what the
live alerts stored from the same events, delivered out of order, repeated, removed and with a record that is no
event among them; a difference is named; `duban alerts rebuild` says so."""

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from cli.main import main
from services.alerts.main import create_app
from services.alerts.settings import AlertsSettings
from services.alerts.usecases.rebuild import COLLECTIONS, RefusedRebuild, compare_inputs, rebuild_inputs, report
from shared.contracts import MeasureCreated, RegistryPublished
from shared.kafka.broker import publish_event
from tests.integration.test_alerts_api import COURT, REGISTRY, YEARLY
from tests.support.alerts_inputs import assignment_updated
from tests.support.apps import alerts_settings, running
from tests.support.waiting import eventually


@pytest.fixture
async def rebuilt(database, settings_values):
    name = f"{settings_values['mongodb_database']}-rebuilt"
    yield database.client[name]
    await database.client.drop_database(name)


async def documents(database, name: str) -> list[dict]:
    return await database[name].find().sort("_id", 1).to_list()


async def test_alerts_inputs_rebuilt_from_the_topics_equal_the_live_ones(
    settings_values, database, publisher, topics, rebuilt, capsys
):
    events = [
        (topics.registry_published, RegistryPublished.wrap(REGISTRY, source="/test"), "registry"),
        *[(topics.measure_created, MeasureCreated.wrap(m, source="/test"), m.measure_id) for m in (COURT, YEARLY)],
        (topics.measure_created, MeasureCreated.wrap(COURT.model_copy(update={"title": "加强行政应诉工作(修订)"}),
                                                     source="/test"), COURT.measure_id),  # a later publication
    ]
    states = [assignment_updated(COURT, "361000.justice", 2, percent_complete=60),
              assignment_updated(COURT, "361000.justice", 1, percent_complete=30),  # older: dropped
              assignment_updated(COURT, "361002.government", 1, region_code="361002"),
              assignment_updated(COURT, "361002.government", 2, region_code="361002", removed=True, assigned=False),
              assignment_updated(YEARLY, "361003.government", 1, region_code="361003"),
              assignment_updated(YEARLY, "361003.government", 1, region_code="361003")]  # published twice
    events += [(topics.assignment_updated, state, state.data.key) for state in states]
    async with running(create_app(alerts_settings(settings_values))):
        for topic, event, key in events:
            await publish_event(publisher, topic, event, key)
        producer = AIOKafkaProducer(bootstrap_servers=settings_values["kafka_bootstrap_servers"])
        await producer.start()
        try:  # no event: the live consumer dead-letters it, the rebuild skips it
            await producer.send_and_wait(topics.assignment_updated, b"{not json", key=b"x")
        finally:
            await producer.stop()

        async def all_stored() -> bool:
            return (await database["alerts_assignments"].count_documents({"revision": 2}) == 2
                    and await database["alerts_assignments"].count_documents({}) == 3
                    and await database["alerts_measures"].count_documents({"title": {"$regex": "修订"}}) == 1
                    and await database["alerts_registry"].count_documents({}) == 1)

        assert await eventually(all_stored, timeout=60)

    live = await documents(database, "alerts_assignments")
    assert [(d["_id"], d["revision"], d.get("removed", False)) for d in live] == [
        ("p-1|361000.justice", 2, False), ("p-1|361002.government", 2, True), ("p-2|361003.government", 1, False)]

    settings = AlertsSettings(**settings_values)
    with pytest.raises(RefusedRebuild):
        await rebuild_inputs(settings, into=database.name)
    result = await rebuild_inputs(settings, into=rebuilt.name)
    assert result.identical, "\n".join(report(result))
    assert (result.read[topics.assignment_updated], result.skipped[topics.assignment_updated]) == (7, 1)
    for name in COLLECTIONS:  # the comparison's verdict, checked independently
        assert await documents(rebuilt, name) == await documents(database, name), name

    await rebuilt["alerts_measures"].update_one({"_id": "p-2"}, {"$set": {"title": "改"}})
    await rebuilt["alerts_assignments"].delete_one({"_id": "p-1|361000.justice"})
    differences = {d.collection: d for d in await compare_inputs(database, rebuilt)}
    assert (differences["alerts_measures"].differing, differences["alerts_assignments"].only_live) == (
        ["p-2"], ["p-1|361000.justice"])
    assert differences["alerts_registry"].identical

    await asyncio.to_thread(main, [
        "alerts", "rebuild", "--into", rebuilt.name, "--bootstrap", settings_values["kafka_bootstrap_servers"],
        "--topic-prefix", settings_values["topic_prefix"], "--mongodb-url", settings_values["mongodb_url"],
        "--database", database.name])
    out = capsys.readouterr().out
    assert "IDENTICAL: the rebuilt inputs equal the live ones" in out, out
