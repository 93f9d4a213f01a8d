"""The plumbing every service's rebuild shares: topics read from offset 0 into a fresh database through the live
parsing, and collections compared document by document with the live ones. What each service reads, applies and
compares is its own (services/<name>/usecases/rebuild.py).

Each topic is read to the end offsets found on starting it (shared/topic_reading.read_from_start: no consumer
group, so the live group's offsets are untouched). A record the live consumer would dead-letter (a contract
violation, a parser fault, an event its use case refuses) is counted as skipped instead of published. The live
collections are read as they are at comparison time: if the live service is behind, or events arrive during the
rebuild, the two differ by those events.
"""

import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import structlog
from aiokafka import ConsumerRecord
from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import Topics
from shared.kafka.broker import kafka_security_options
from shared.kafka.consuming import Admission, ApplyBatch, Consumer, RetryPolicy
from shared.kafka.topic_reading import READ_BATCH, read_from_start
from shared.settings import ServiceSettings
from shared.web.authentication import load_clients
from shared.web.producers import producer_scopes

RETRIED = re.compile(r"^failed after \d+ attempts: ")  # shared/kafka/consuming.py's prefix
SHOWN_KEYS = 10  # keys named per kind of difference in a report
# Reads a collection (its name, the collection) as compared: its documents by _id.
ReadCollection = Callable[[str, AsyncCollection], Awaitable[dict]]


class RefusedRebuild(ValueError):
    pass


@dataclass(frozen=True)
class Skipped:
    topic: str
    partition: int
    offset: int
    reason: str


@dataclass
class CollectionDifference:
    """One collection compared: its size in each database, and the `_id`s (as text) only live, only rebuilt, or
    in both and unequal."""

    name: str
    live: int
    rebuilt: int
    missing: list[str] = field(default_factory=list)  # in the live database, not in the rebuilt one
    extra: list[str] = field(default_factory=list)  # in the rebuilt database, not in the live one
    differing: list[str] = field(default_factory=list)  # in both, not equal

    @property
    def identical(self) -> bool:
        return not (self.missing or self.extra or self.differing)


@dataclass
class Rebuild:
    """What a rebuild read, applied and skipped per topic, how long it took, and its comparison (None when not
    compared)."""

    live_database: str
    database: str
    read: Counter = field(default_factory=Counter)  # topic -> records read
    applied: Counter = field(default_factory=Counter)  # topic -> events applied
    skipped: list[Skipped] = field(default_factory=list)  # records the live consumer would dead-letter
    seconds: float = 0.0
    comparison: list[CollectionDifference] | None = None

    @property
    def identical(self) -> bool | None:
        return None if self.comparison is None else all(c.identical for c in self.comparison)

    def skipped_in(self, topic: str) -> int:
        return sum(skipped.topic == topic for skipped in self.skipped)


class SkippingConsumer(Consumer):
    """The live consumer's parse-and-apply path (poison isolation included), with dead letters counted rather than
    published. One attempt per event: a rebuild reads what an event waits for (a report's measure) first."""

    def __init__(self, topics: Topics, admit: Admission | None = None):
        super().__init__(broker=None, topics=topics, group="rebuild", policy=RetryPolicy(attempts=1), admit=admit)
        self.skipped: list[Skipped] = []

    async def dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        self.skipped.append(Skipped(record.topic, record.partition, record.offset, reason))

    async def apply_records(self, records: list[ConsumerRecord], contract: type[BaseModel], apply: ApplyBatch) -> int:
        """Applies a batch of records; returns how many events were applied."""
        before = len(self.skipped)
        batch = await self.parse(records, contract)
        if batch.events:
            try:
                await self.apply_with_retries(batch, apply)
            finally:
                structlog.contextvars.clear_contextvars()
        return len(records) - (len(self.skipped) - before)


@asynccontextmanager
async def fresh_database(settings: ServiceSettings, into: str) -> AsyncIterator[tuple[AsyncDatabase, AsyncDatabase]]:
    """(live database, the database `into` dropped first). RefusedRebuild when `into` is the live database."""
    if into == settings.mongodb_database:
        raise RefusedRebuild(f"refusing to rebuild into the live database {into!r}: it is dropped first")
    client: AsyncMongoClient = AsyncMongoClient(settings.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5_000)
    try:
        await client.drop_database(into)
        yield client[settings.mongodb_database], client[into]
    finally:
        await client.close()


async def replay(settings: ServiceSettings, result: Rebuild,
                 steps: Iterable[tuple[str, type[BaseModel], ApplyBatch]], batch_size: int = READ_BATCH) -> None:
    """Reads each (topic, contract, apply) step's topic from its start, in order, applying its events in batches of
    up to `batch_size` records; counts into `result` what was read, applied and skipped, and the seconds taken.
    With a clients file, events from outside their producer's scope are skipped as the live consumers dead-letter
    them (shared/web/producers.py), judged by the file as it is now."""
    admit = producer_scopes(load_clients(settings), settings.intake_source)
    started, consumer = time.monotonic(), SkippingConsumer(Topics(settings.topic_prefix), admit)
    for topic, contract, apply in steps:
        async for records in read_from_start(settings.kafka_bootstrap_servers, topic, batch_size,
                                             **kafka_security_options(settings)):
            result.read[topic] += len(records)
            result.applied[topic] += await consumer.apply_records(records, contract, apply)
    result.skipped += consumer.skipped
    result.seconds += time.monotonic() - started


def documents(ignoring: Sequence[str] = ()) -> ReadCollection:
    """Reads a whole collection by _id, without the fields `ignoring` (say, when a document was written)."""
    async def read(name: str, collection: AsyncCollection) -> dict:
        return {document["_id"]: {key: value for key, value in document.items() if key not in ignoring}
                async for document in collection.find()}
    return read


WHOLE_DOCUMENTS = documents()


async def compare_collections(collections: Iterable[tuple[str, AsyncCollection, AsyncCollection]],
                              read: ReadCollection = WHOLE_DOCUMENTS) -> list[CollectionDifference]:
    """Each (name, live collection, rebuilt collection), as `read` gives them, compared by _id. The service names
    its collections (shared/ touches none of its own: tests/unit/test_collection_ownership.py)."""
    differences = []
    for name, live, rebuilt in collections:
        ours, theirs = await read(name, live), await read(name, rebuilt)
        differences.append(CollectionDifference(
            name, len(ours), len(theirs), missing=sorted(map(str, ours.keys() - theirs.keys())),
            extra=sorted(map(str, theirs.keys() - ours.keys())),
            differing=sorted(str(key) for key in ours.keys() & theirs.keys() if ours[key] != theirs[key])))
    return differences


def report_lines(result: Rebuild, what: str) -> list[str]:
    """The rebuild as lines for an operator: per topic what was read and applied, what was skipped by reason (a
    few of them named), per collection the verdict and the differing keys, and the overall verdict on `what` (a
    plural: "collections")."""
    lines = [f"rebuilt into database {result.database!r} in {result.seconds:.1f} s"]
    lines += [f"  {topic}: {read} records read, {result.applied[topic]} applied" for topic, read in result.read.items()]
    if result.skipped:
        # Grouped by what was wrong, not by the consumer's retry wording around it.
        reasons = Counter(RETRIED.sub("", skipped.reason).split(":")[0] for skipped in result.skipped)
        lines.append(f"  skipped (the live consumer dead-letters these): {len(result.skipped)} ("
                     + ", ".join(f"{count} {reason}" for reason, count in reasons.most_common()) + ")")
        lines += [f"    {s.topic} {s.partition}:{s.offset} {s.reason[:120]}" for s in result.skipped[:SHOWN_KEYS]]
    if result.comparison is None:
        return lines
    lines.append(f"compared with the live database {result.live_database!r}:")
    for difference in result.comparison:
        lines.append(f"  {difference.name}: {difference.live} live, {difference.rebuilt} rebuilt, "
                     + ("identical" if difference.identical else "DIFFERENT"))
        for label, keys in (("only live", difference.missing), ("only rebuilt", difference.extra),
                            ("differing", difference.differing)):
            if keys:
                more = f" … (+{len(keys) - SHOWN_KEYS})" if len(keys) > SHOWN_KEYS else ""
                lines.append(f"    {label} ({len(keys)}): {', '.join(keys[:SHOWN_KEYS])}{more}")
    lines.append(f"IDENTICAL: the rebuilt {what} equal the live ones" if result.identical
                 else f"DIFFERENT: the rebuilt {what} do not equal the live ones (the keys above)")
    return lines
