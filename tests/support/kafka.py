"""Reading topics directly, to check what a service really published."""

import json
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from shared.contracts.topics import PARTITIONS
from shared.kafka.topic_reading import read_from_start


async def read_topic(bootstrap: str, topic: str, expected: int, timeout_ms: int = 20_000) -> list:
    """Every record of a topic from the start to its end, once at least `expected` have arrived (or time runs out).

    One fetch may return only part of what is there (a few partitions, or the first records of one), so having
    `expected` records is not enough: the read goes on until every partition's position reaches its end offset.
    """
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    records = []
    try:
        while len(records) < expected or not await _at_end(consumer):
            batch = await consumer.getmany(timeout_ms=timeout_ms)
            if not batch:
                break
            records += [record for partition in batch.values() for record in partition]
    finally:
        await consumer.stop()
    return records


async def _at_end(consumer: AIOKafkaConsumer) -> bool:
    partitions = consumer.assignment()
    ends = await consumer.end_offsets(list(partitions))
    positions = {partition: await consumer.position(partition) for partition in partitions}
    return all(positions[partition] >= ends[partition] for partition in partitions)


async def events_on(bootstrap: str, topic: str) -> list[dict]:
    """The JSON values of every record of a topic, from its start to its end offsets as they are now: what a check
    that nothing more was published needs (read_topic waits for a count instead)."""
    return [body(record) async for batch in read_from_start(bootstrap, topic) for record in batch]


def body(record) -> dict:
    return json.loads(record.value)


def headers(record) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


async def consumer_lag(bootstrap: str, group: str, topics: Iterable[str] = ()) -> int | None:
    """Records a consumer group has not committed yet, over the partitions its members are assigned, those it
    committed on, and every partition of `topics`; None while the group is not Stable (rebalancing, or empty: no
    member to assign anything to)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    ends = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await ends.start()
    try:
        (description,) = [g for response in await admin.describe_consumer_groups([group]) for g in response.groups]
        # (error_code, group, state, protocol_type, protocol, members, ...); a member's assignment is its last field.
        if description[2] != "Stable":
            return None
        partitions = {p for member in description[5] for p in ConsumerProtocolMemberAssignment.decode(
            member[-1]).partitions()}
        committed = {p: o.offset for p, o in (await admin.list_consumer_group_offsets(group)).items()}
        partitions |= set(committed) | {TopicPartition(t, p) for t in topics for p in range(PARTITIONS)}
        end_offsets = await ends.end_offsets(sorted(partitions))
        return sum(max(end - max(committed.get(p, 0), 0), 0) for p, end in end_offsets.items())
    finally:
        await ends.stop()
        await admin.close()
