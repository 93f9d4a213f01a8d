"""Rebuilding reporting's collections from the topics it consumes, and comparing them with the live ones.

Each topic is read from offset 0 to the end offsets found on starting (shared/dead_letters.read_from_start: no
consumer group, the live group's offsets are untouched), parsed as the live consumer parses (a record it would
dead-letter is counted as skipped) and applied by the same use cases (usecases/record.py) to a ReportingStore on
another database. Topic by topic works because every write is order-independent across topics (storage/
collections.py): an alert's raises, then its severity changes, then its clears give the state its events in order
give. The comparison reads both databases' collections and compares them document by document, without the
`updated_at` stamps (when a document was written, not what it says).
"""

from collections import Counter
from dataclasses import dataclass, field

from aiokafka import ConsumerRecord
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.reporting.entrypoints.kafka.subscribers import topic_of
from services.reporting.settings import ReportingSettings
from services.reporting.storage.collections import NAMES, PREFIX, ReportingStore
from services.reporting.usecases.record import RECORDERS
from shared.contracts import Topics
from shared.kafka.broker import kafka_security_options
from shared.kafka.consuming import Consumer
from shared.kafka.dead_letters import read_from_start

UNCOMPARED = ("updated_at",)


class CountingConsumer(Consumer):
    """The live parsing, with what it would dead-letter counted instead of published."""

    def __init__(self, topics: Topics):
        super().__init__(broker=None, topics=topics, group="reporting-rebuild")
        self.skipped: Counter = Counter()

    async def dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        self.skipped[record.topic] += 1


@dataclass
class Rebuild:
    database: str
    applied: Counter = field(default_factory=Counter)  # topic -> events applied
    skipped: Counter = field(default_factory=Counter)  # topic -> records the live consumer dead-letters
    differing: dict[str, list[str]] = field(default_factory=dict)  # collection -> ids that differ or are missing

    @property
    def identical(self) -> bool:
        return not any(self.differing.values())


async def rebuild(settings: ReportingSettings, into: str) -> Rebuild:
    """Drops the database `into` (never the live one), rebuilds reporting's collections there from the topics and
    compares them with the live ones."""
    if into == settings.mongodb_database:
        raise ValueError(f"refusing to rebuild into the live database {into!r}: it is dropped first")
    topics, result = Topics(settings.topic_prefix), Rebuild(into)
    consumer = CountingConsumer(topics)
    client: AsyncMongoClient = AsyncMongoClient(settings.mongodb_url, tz_aware=True)
    try:
        await client.drop_database(into)
        store = ReportingStore(client[into])
        await store.ensure_indexes()
        for contract, use_case in RECORDERS.items():
            topic = topic_of(topics, contract)
            async for records in read_from_start(settings.kafka_bootstrap_servers, topic, settings.batch_size,
                                                 **kafka_security_options(settings)):
                batch = await consumer.parse(records, contract)
                if batch.events:
                    await use_case(store, batch.events)
                result.applied[topic] += len(batch.events)
        result.skipped = consumer.skipped
        result.differing = await compare(client[settings.mongodb_database], client[into])
    finally:
        await client.close()
    return result


async def compare(live: AsyncDatabase, rebuilt: AsyncDatabase) -> dict[str, list[str]]:
    """Per collection, the ids whose documents differ or are in one database only."""
    differing = {}
    for name in NAMES:
        documents = [{d["_id"]: {k: v for k, v in d.items() if k not in UNCOMPARED}
                      async for d in database[PREFIX + name].find()} for database in (live, rebuilt)]
        differing[name] = sorted(str(key) for key in documents[0].keys() | documents[1].keys()
                                 if documents[0].get(key) != documents[1].get(key))
    return differing
