"""The tracker killed with SIGKILL while 20,000 events stream through: the state and the published states end
exact."""

import asyncio
import os
import random
import signal
import time

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from deploy.local.stack import LocalStack
from shared.contracts import Topics
from tests.support.streams import expected_state, measures, produce, reports, stored_state
from tests.support.waiting import eventually

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
EVENTS, KILLS = 20_000, 5


async def consumer_lag(bootstrap: str, group: str, topic: str) -> int:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            partitions = [tp for tp in committed if tp.topic == topic]
        ends = await consumer.end_offsets(partitions)
        return sum(end - (committed[tp].offset if tp in committed else 0) for tp, end in ends.items())
    finally:
        await consumer.stop()
        await admin.close()


async def test_sigkill_five_times_while_streaming_loses_nothing_and_counts_nothing_twice(
    infrastructure, settings_values, tmp_path
):
    bootstrap = infrastructure.kafka_bootstrap_servers
    topics = Topics(settings_values["topic_prefix"])
    measure_events = measures(count=40, units_per_measure=5)
    events = reports(measure_events, EVENTS)
    duplicates = random.Random(3).sample(events, k=EVENTS // 20)  # 5% delivered twice
    stack = LocalStack(tmp_path, default_ports=False, tie_to_parent=True)
    settings = {"topic_prefix": settings_values["topic_prefix"], "retry_backoff_seconds": "0.1",
                "mongodb_database": settings_values["mongodb_database"]}
    database_client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    database = database_client[settings_values["mongodb_database"]]
    try:
        await produce(bootstrap, topics.measure_created, measure_events, lambda e: e.data.measure_id)
        process, url = stack.start_service("tracker", infrastructure, **settings)
        await asyncio.to_thread(stack.wait_healthy, process, url)

        async def stream() -> None:
            stream_events = events + duplicates
            for start in range(0, len(stream_events), 1_000):
                await produce(bootstrap, topics.progress_reported, stream_events[start:start + 1_000],
                              lambda e: e.data.assignment_key)
                await asyncio.sleep(0.5)

        streaming = asyncio.create_task(stream())
        rng = random.Random(11)
        started = time.monotonic()
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(1.0, 4.0))
            os.killpg(process.pid, signal.SIGKILL)
            await asyncio.to_thread(process.stop)  # reaps it
            process, url = stack.start_service("tracker", infrastructure, **settings)
            await asyncio.to_thread(stack.wait_healthy, process, url)
        await streaming

        async def caught_up() -> bool:
            return await consumer_lag(bootstrap, "duban-tracker", topics.progress_reported) == 0

        await eventually(caught_up, timeout=600, interval=1.0)
        elapsed = time.monotonic() - started
        history = database["progress_reports"]
        assert await history.count_documents({}) == EVENTS  # none lost, none twice
        expected = expected_state(events)
        assert await stored_state(database) == expected
        # Each assignment's published state names its current report, and nothing is left unpublished: a kill
        # between a state's write and its publication, or before the states were decided, left nothing behind.

        async def outbox_empty() -> bool:
            return await database["assignment_states"].count_documents({"pending": True}) == 0

        await eventually(outbox_empty, timeout=120)
        published = {d["_id"]: d["state"]["report_event_id"] async for d in database["assignment_states"].find(
            {"state.report_event_id": {"$ne": None}})}
        assert published == expected["assignment_progress"]
        print(f"\n{EVENTS} events (+{len(duplicates)} duplicates), {KILLS} SIGKILLs: exact state in {elapsed:.0f} s")
    finally:
        stack.stop()
        await database_client.drop_database(settings_values["mongodb_database"])
        await database_client.close()
