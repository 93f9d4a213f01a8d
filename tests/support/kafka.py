"""Reading topics directly, to check what a service really published."""

import json

from aiokafka import AIOKafkaConsumer


async def read_topic(bootstrap: str, topic: str, expected: int, timeout_ms: int = 20_000) -> list:
    """Every record of a topic from the start, once at least `expected` have arrived (or time runs out)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    records = []
    try:
        while len(records) < expected:
            batch = await consumer.getmany(timeout_ms=timeout_ms)
            if not batch:
                break
            records += [record for partition in batch.values() for record in partition]
    finally:
        await consumer.stop()
    return records


def body(record) -> dict:
    return json.loads(record.value)


def headers(record) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}
