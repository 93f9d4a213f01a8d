"""Rebuilding alerts' inputs from the topics, and comparing them with the live ones.

alerts' input collections (storage/inputs.py: `alerts_registry`, `alerts_measures`, `alerts_assignments`) hold
nothing the topics do not: registry-published, measure-created and assignment-updated are read here from offset 0
to the end offsets found on starting (no consumer group: the live alerts' offsets are untouched) and written
through the same store into a fresh database. A record the live consumer dead-letters (it breaks the contract or
the parser) is skipped and counted. No alert is judged: the open alerts and the history are the alerts' own
decisions, kept by the live database, not inputs.

The comparison reads the three collections of both databases document by document. The live ones are read as
they are then: if the live alerts is behind, or events arrive during the rebuild, the two differ by those events.
"""

import time
from collections import Counter
from dataclasses import dataclass, field

from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.alerts.settings import AlertsSettings
from services.alerts.storage.inputs import Inputs
from shared.contracts import AssignmentUpdated, MeasureCreated, RegistryPublished, Topics
from shared.kafka.broker import kafka_security_options
from shared.kafka.consuming import event_of
from shared.kafka.dead_letters import read_from_start

COLLECTIONS = ("alerts_registry", "alerts_measures", "alerts_assignments")
SHOWN_KEYS = 10


class RefusedRebuild(ValueError):
    pass


@dataclass
class Difference:
    """One collection compared: its size in each database, and the `_id`s only live, only rebuilt, or unequal."""

    collection: str
    live: int
    rebuilt: int
    only_live: list[str] = field(default_factory=list)
    only_rebuilt: list[str] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.only_live or self.only_rebuilt or self.differing)


@dataclass
class InputsRebuild:
    database: str
    read: Counter = field(default_factory=Counter)  # topic -> records read
    skipped: Counter = field(default_factory=Counter)  # topic -> records the live consumer dead-letters
    seconds: float = 0.0
    comparison: list[Difference] | None = None

    @property
    def identical(self) -> bool | None:
        return None if self.comparison is None else all(d.identical for d in self.comparison)


def parsed(records: list, contract: type[BaseModel]) -> tuple[list, int]:
    """The records' events, and how many records are not events (what the live consumer dead-letters)."""
    events = []
    for record in records:
        try:
            events.append(event_of(record, contract))
        except Exception:  # Refused, or a parser fault on this record: dead-lettered by the live consumer
            continue
    return events, len(records) - len(events)


async def rebuild_inputs(settings: AlertsSettings, *, into: str | None = None,
                         compare: bool = True) -> InputsRebuild:
    """Drops `into` (default `<live database>-alerts-rebuild`), rebuilds alerts' inputs there from the topics, and
    compares them with the live ones. RefusedRebuild when `into` is the live database."""
    name = into or f"{settings.mongodb_database}-alerts-rebuild"
    if name == settings.mongodb_database:
        raise RefusedRebuild(f"refusing to rebuild into the live database {name!r}: it is dropped first")
    result = InputsRebuild(database=name)
    topics = Topics(settings.topic_prefix)
    client: AsyncMongoClient = AsyncMongoClient(settings.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5_000)
    started = time.monotonic()
    try:
        await client.drop_database(name)
        inputs = Inputs(client[name])
        await inputs.ensure_indexes()
        for topic, contract, save in ((topics.registry_published, RegistryPublished, inputs.save_registry),
                                      (topics.measure_created, MeasureCreated, inputs.save_measures),
                                      (topics.assignment_updated, AssignmentUpdated, inputs.save_assignments)):
            async for records in read_from_start(settings.kafka_bootstrap_servers, topic,
                                                 **kafka_security_options(settings)):
                events, skipped = parsed(records, contract)
                result.read[topic] += len(records)
                result.skipped[topic] += skipped
                await save(events)
        result.seconds = time.monotonic() - started
        if compare:
            result.comparison = await compare_inputs(client[settings.mongodb_database], client[name])
    finally:
        await client.close()
    return result


async def compare_inputs(live: AsyncDatabase, rebuilt: AsyncDatabase) -> list[Difference]:
    differences = []
    for name in COLLECTIONS:
        ours = {document["_id"]: document async for document in live[name].find()}
        theirs = {document["_id"]: document async for document in rebuilt[name].find()}
        differences.append(Difference(
            name, len(ours), len(theirs), only_live=sorted(map(str, ours.keys() - theirs.keys())),
            only_rebuilt=sorted(map(str, theirs.keys() - ours.keys())),
            differing=sorted(str(key) for key in ours.keys() & theirs.keys() if ours[key] != theirs[key])))
    return differences


def report(result: InputsRebuild) -> list[str]:
    """The rebuild as lines for an operator."""
    lines = [f"alerts' inputs rebuilt into database {result.database!r} in {result.seconds:.1f} s"]
    lines += [f"  {topic}: {read} records read, {result.skipped[topic]} skipped (not events)"
              for topic, read in result.read.items()]
    for difference in result.comparison or []:
        lines.append(f"  {difference.collection}: {difference.live} live, {difference.rebuilt} rebuilt, "
                     + ("identical" if difference.identical else "DIFFERENT"))
        for label, keys in (("only live", difference.only_live), ("only rebuilt", difference.only_rebuilt),
                            ("differing", difference.differing)):
            if keys:
                more = f" … (+{len(keys) - SHOWN_KEYS})" if len(keys) > SHOWN_KEYS else ""
                lines.append(f"    {label} ({len(keys)}): {', '.join(keys[:SHOWN_KEYS])}{more}")
    if result.comparison is not None:
        lines.append("IDENTICAL: the rebuilt inputs equal the live ones" if result.identical
                     else "DIFFERENT: the rebuilt inputs do not equal the live ones (the keys above)")
    return lines
