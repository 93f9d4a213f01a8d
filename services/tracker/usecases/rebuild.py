"""Rebuilding the tracker's whole state from its topics, and comparing it with the live state.

The rebuild reads measure-created, then progress-reported, then progress-withdrawn, each from offset 0 to the end
offsets it finds on starting (no consumer group: the live tracker's offsets are not touched), and applies them in
batches through the live path: shared/kafka/consuming.py's parsing and poison isolation, and the tracker's use cases on
a fresh database (their outbox is never published: the live tracker published those changes). Measures go
first, so a report never waits for its measure. What the live tracker would dead-letter (a contract violation, a
report for a measure that does not exist) is skipped and counted instead.

The comparison reads the tracker's collections from both databases and compares them document by document;
assignment_states by the state only (STATE_ONLY): its revisions count the changes as each tracker met them in its
batches (the rebuild meets them in others), its outbox is what each has left to publish, and a state said
`removed` is as absent as one never published (the live tracker may have published an assignment the rebuild,
reading the registry first, never had).

Then the rebuilt states continue the live revisions (continue_live_revisions), so that serving the rebuilt database
tells the consumers (who keep the highest revision per key) exactly what differs, and nothing else.
The live state is read as it is at that moment: if the tracker is behind, or events arrive during the
rebuild, the two differ by those events. A report the live tracker dead-lettered because its measure came
too late, and that was never replayed, is in the rebuilt state and not in the live one: that is a real
difference, and the rebuilt state is the one the topics say is right.
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import structlog
from aiokafka import ConsumerRecord
from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.tracker.domain.states import removed_state
from services.tracker.settings import TrackerSettings
from services.tracker.storage.repository import TrackerRepository
from services.tracker.storage.states import AssignmentStates
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.measures import record_measures
from services.tracker.usecases.progress import record_progress
from services.tracker.usecases.registry import record_registry
from services.tracker.usecases.states import updated_event
from services.tracker.usecases.withdrawals import record_withdrawals
from shared.contracts import MeasureCreated, ProgressReported, ProgressWithdrawn, RegistryPublished, Topics
from shared.kafka.broker import kafka_security_options
from shared.kafka.consuming import ApplyBatch, Consumer, RetryPolicy
from shared.kafka.dead_letters import read_from_start

COLLECTIONS = ("registry", "unit_mappings", "measures", "assignments", "progress_reports", "period_progress",
               "assignment_progress", "report_conflicts", "assignment_states")
# Of an assignment_states document, what is compared (see the module's doc).
STATE_ONLY = "state"
SHOWN_KEYS = 10


class RefusedRebuild(ValueError):
    pass


@dataclass(frozen=True)
class Skipped:
    topic: str
    partition: int
    offset: int
    reason: str


class SkippingConsumer(Consumer):
    """The live consumer's parse-and-apply path, with dead letters counted rather than published.

    One attempt per event: the live consumer retries a report whose measure has not arrived yet, but here
    every measure is in before the first report.
    """

    def __init__(self, topics: Topics):
        super().__init__(broker=None, topics=topics, group="rebuild", policy=RetryPolicy(attempts=1))
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


@dataclass
class CollectionDifference:
    name: str
    live: int
    rebuilt: int
    missing: list[str] = field(default_factory=list)  # in the live state, not in the rebuilt one
    extra: list[str] = field(default_factory=list)  # in the rebuilt state, not in the live one
    differing: list[str] = field(default_factory=list)  # in both, not equal

    @property
    def identical(self) -> bool:
        return not (self.missing or self.extra or self.differing)


@dataclass
class Rebuild:
    live_database: str
    database: str
    read: Counter = field(default_factory=Counter)  # topic -> records read
    applied: Counter = field(default_factory=Counter)  # topic -> events applied
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    comparison: list[CollectionDifference] | None = None
    corrections: int = 0  # assignment-updated events the rebuilt database holds for publication when served

    @property
    def identical(self) -> bool | None:
        return None if self.comparison is None else all(c.identical for c in self.comparison)


def rebuild_database_name(settings: TrackerSettings, into: str | None) -> str:
    return into or f"{settings.mongodb_database}-rebuild"


async def rebuild(settings: TrackerSettings, *, into: str | None = None, compare: bool = True) -> Rebuild:
    """Drops `into` (default `<live database>-rebuild`), rebuilds the state there, and compares it with the live."""
    name = rebuild_database_name(settings, into)
    if name == settings.mongodb_database:
        raise RefusedRebuild(f"refusing to rebuild into the live database {name!r}: it is dropped first")
    result = Rebuild(live_database=settings.mongodb_database, database=name)
    topics = Topics(settings.topic_prefix)
    consumer = SkippingConsumer(topics)
    client: AsyncMongoClient = AsyncMongoClient(settings.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5_000)
    started = time.monotonic()
    try:
        await client.drop_database(name)
        repository, states = TrackerRepository(client[name]), AssignmentStates(client[name])
        await repository.ensure_indexes()
        await states.ensure_indexes()
        tracker = Tracker(repository, states)
        # Operators' unit mappings are in no topic: they come from the live state.
        mappings = await client[settings.mongodb_database]["unit_mappings"].find().to_list()
        if mappings:
            await repository.unit_mappings.insert_many(mappings)
        for topic, contract, use_case in (
            (topics.registry_published, RegistryPublished, record_registry),
            (topics.measure_created, MeasureCreated, record_measures),
            (topics.progress_reported, ProgressReported, partial(record_progress, skew=settings.clock_skew)),
            (topics.progress_withdrawn, ProgressWithdrawn, record_withdrawals),
        ):
            async for records in read_from_start(settings.kafka_bootstrap_servers, topic, settings.batch_size,
                                                 **kafka_security_options(settings)):
                result.read[topic] += len(records)
                result.applied[topic] += await consumer.apply_records(
                    records, contract, lambda events, use_case=use_case: use_case(tracker, events))
        result.skipped = consumer.skipped
        result.seconds = time.monotonic() - started
        if compare:
            result.comparison = await compare_databases(client[settings.mongodb_database], client[name])
        result.corrections = await continue_live_revisions(AssignmentStates(client[settings.mongodb_database]),
                                                           states)
    finally:
        await client.close()
    return result


async def continue_live_revisions(live: AssignmentStates, rebuilt: AssignmentStates) -> int:
    """Renumbers the rebuilt states from the live ones and leaves pending only the events that correct what the
    live tracker published; returns how many. A state equal to the live one takes its revision, nothing pending;
    one that differs takes the live revision + 1 with its event; one the live tracker published and the rebuild
    does not have is said removed at the live revision + 1; one the live tracker never published keeps its
    revision, with its one event (none if removed). The rebuild's own outbox (every revision it went through) is
    dropped: the live tracker published those changes, and a replay would reuse their ids with other content."""
    live_states, rebuilt_states = await live.everything(), await rebuilt.everything()
    decided_at, corrections = datetime.now(UTC), 0
    for key in sorted(live_states.keys() | rebuilt_states.keys()):
        old, new = live_states.get(key), rebuilt_states.get(key)
        if new is None:
            if old.state["removed"]:
                continue
            revision, state = old.revision + 1, removed_state(old.state)
        elif old is None:
            revision, state = new.revision, new.state
        elif old.state == new.state:
            await rebuilt.overwrite(key, old.revision, new.state, [])
            continue
        else:
            revision, state = old.revision + 1, new.state
        said = old is not None or not state["removed"]
        await rebuilt.overwrite(key, revision, state, [updated_event(key, revision, state, decided_at)] if said else [])
        corrections += said
    return corrections


async def compare_databases(live: AsyncDatabase, rebuilt: AsyncDatabase) -> list[CollectionDifference]:
    differences = []
    for name in COLLECTIONS:
        live_documents, rebuilt_documents = await comparable(live, name), await comparable(rebuilt, name)
        differences.append(CollectionDifference(
            name, len(live_documents), len(rebuilt_documents),
            missing=sorted(map(str, live_documents.keys() - rebuilt_documents.keys())),
            extra=sorted(map(str, rebuilt_documents.keys() - live_documents.keys())),
            differing=sorted(str(key) for key in live_documents.keys() & rebuilt_documents.keys()
                             if live_documents[key] != rebuilt_documents[key]),
        ))
    return differences


async def comparable(database: AsyncDatabase, name: str) -> dict:
    """A collection's documents by _id, as compared: assignment_states' states only, those removed left out."""
    if name != "assignment_states":
        return {document["_id"]: document async for document in database[name].find()}
    return {document["_id"]: document[STATE_ONLY] async for document in database[name].find(
        {"state.removed": False}, {STATE_ONLY: 1})}


def report(result: Rebuild) -> list[str]:
    """The rebuild as lines for an operator."""
    lines = [f"rebuilt into database {result.database!r} in {result.seconds:.1f} s"]
    for topic, read in result.read.items():
        lines.append(f"  {topic}: {read} records read, {result.applied[topic]} applied")
    if result.skipped:
        reasons = Counter(skipped.reason.split(":")[0] for skipped in result.skipped)
        lines.append(f"  skipped (the live tracker dead-letters these): {len(result.skipped)}: "
                     + ", ".join(f"{count} {reason}" for reason, count in reasons.most_common()))
        lines += [f"    {s.topic} {s.partition}:{s.offset} {s.reason[:120]}" for s in result.skipped[:SHOWN_KEYS]]
    if result.comparison is not None:
        lines.append(f"compared with the live database {result.live_database!r}:")
        for difference in result.comparison:
            lines.append(f"  {difference.name}: {difference.live} live, {difference.rebuilt} rebuilt, "
                         + ("identical" if difference.identical else "DIFFERENT"))
            for label, keys in (("only live", difference.missing), ("only rebuilt", difference.extra),
                                ("differing", difference.differing)):
                if keys:
                    shown = ", ".join(keys[:SHOWN_KEYS]) + (f" … (+{len(keys) - SHOWN_KEYS})"
                                                            if len(keys) > SHOWN_KEYS else "")
                    lines.append(f"    {label} ({len(keys)}): {shown}")
        lines.append("IDENTICAL: the rebuilt state equals the live state" if result.identical
                     else "DIFFERENT: the rebuilt state does not equal the live state (the keys above)")
    if result.corrections:
        lines.append(f"{result.corrections} assignment states differ from what the live tracker published: serving "
                     "the rebuilt database publishes them (their revisions continue the live ones)")
    lines.append(
        f"To serve the rebuilt state: stop the tracker, rebuild again (so nothing it committed is missing), then "
        f"start the tracker, alerts and reporting with DUBAN_MONGODB_DATABASE={result.database}.")
    return lines
