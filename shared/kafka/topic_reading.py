"""A whole topic read from its start without a consumer group: the dead letters (shared/kafka/dead_letters.py), the
replay record (cli/dead_letter_replay.py) and a rebuild of the tracker's state read topics this way."""

from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

READ_BATCH = 500


async def read_from_start(bootstrap: str, topic: str, batch_size: int = READ_BATCH,
                          **security) -> AsyncIterator[list]:
    """Every record of a topic, in batches, from the start to its end offsets as they were when reading began.

    No consumer group: nothing is committed, and the services' groups are not disturbed. A topic that does not
    exist yields nothing (and is not auto-created). `security`: aiokafka's SASL/TLS options
    (shared/kafka/broker.py kafka_security_options).
    """
    partitions = [TopicPartition(topic, partition) for partition in await partitions_of(bootstrap, topic, **security)]
    if not partitions:
        return
    # No group, so no committed offsets: every partition starts where the reset policy says, the earliest.
    # (An explicit seek_to_beginning can lose a race with the reset the assignment starts.)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", **security)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
        while remaining:
            fetched = await consumer.getmany(*remaining, timeout_ms=1_000, max_records=batch_size)
            batch = [record for tp, records in fetched.items() for record in records if record.offset < ends[tp]]
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
            if batch:
                yield batch
    finally:
        await consumer.stop()


async def partitions_of(bootstrap: str, topic: str, **security) -> list[int]:
    """The topic's partitions, none if it does not exist; asks for every topic's metadata, so creates none."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **security)
    await admin.start()
    try:
        described = [t for t in await admin.describe_topics() if t["topic"] == topic]
        return sorted(p["partition"] for t in described for p in t["partitions"])
    finally:
        await admin.close()
