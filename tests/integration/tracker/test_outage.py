"""The database goes away under the tracker: it retries, commits nothing it has not written, and catches up."""

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from deploy.local.install import install
from deploy.local.stack import LocalStack
from services.tracker.main import create_app
from services.tracker.settings import TrackerSettings
from shared.contracts import Topics
from tests.support.apps import running
from tests.support.streams import expected_state, measures, produce, reports, stored_state
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow


async def committed_offsets(bootstrap: str, group: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return sum(meta.offset for partition, meta in offsets.items() if partition.topic == topic and meta.offset > 0)
    finally:
        await admin.close()


async def test_a_database_outage_delays_but_neither_loses_nor_commits_unwritten_reports(
    infrastructure, settings_values, tmp_path
):
    database_stack = LocalStack(tmp_path, default_ports=False, tie_to_parent=True)
    installation = install()
    url = await asyncio.to_thread(database_stack.start_database, installation)
    port = database_stack.record()["database"]["port"]
    bootstrap = infrastructure.kafka_bootstrap_servers
    topics = Topics(settings_values["topic_prefix"])
    settings = TrackerSettings(**{**settings_values, "mongodb_url": url}, retry_backoff_seconds=0.2,
                               database_outage_budget_seconds=3)
    measure_events = measures(count=5, units_per_measure=3)
    events = reports(measure_events, 300)
    client = AsyncMongoClient(url, tz_aware=True)
    database = client[settings.mongodb_database]
    try:
        async with running(create_app(settings)):
            await produce(bootstrap, topics.measure_created, measure_events, lambda e: e.data.measure_id)

            async def measures_stored():
                return await database["measures"].count_documents({}) == len(measure_events)

            await eventually(measures_stored)
            database_stack.processes()["database"].stop()

            await produce(bootstrap, topics.progress_reported, events, lambda e: e.data.assignment_key)
            # Long enough for several retries and at least one nack past the 3 s budget.
            await asyncio.sleep(8)
            assert await committed_offsets(bootstrap, settings.consumer_group, topics.progress_reported) == 0

            await asyncio.to_thread(database_stack.start_database, installation, port)

            async def all_written():
                return await database["progress_reports"].count_documents({}) == len(events)

            await eventually(all_written, timeout=120)
            await eventually(lambda: committed_total_is(bootstrap, settings, topics, len(events)), timeout=30)
        assert await stored_state(database) == expected_state(events)
    finally:
        await client.close()
        database_stack.stop()


async def committed_total_is(bootstrap, settings, topics, expected: int) -> bool:
    return await committed_offsets(bootstrap, settings.consumer_group, topics.progress_reported) == expected
