"""What intake knows of the platform's reference data, read from the topics: every measure (measure-created) and
the latest registry (registry-published). So a report on an unknown measure, or naming a unit the registry does
not have, is refused at intake (422) rather than accepted and dead-lettered or counted as a phantom later.

Every intake process reads both topics itself, from their beginning (no consumer group: each needs all of it;
measures number thousands, a few hundred bytes each). Until it has read up to the topics' end, it does not know
whether a measure is missing or just not read yet, and says so (None): intake then accepts, and the tracker
dead-letters the report if the measure never comes.
"""

import asyncio
from dataclasses import dataclass
from datetime import date, datetime

import structlog
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from shared.contracts import Measure, MeasureCreated, Registry, RegistryPublished, Topics

log = structlog.get_logger()
CATCH_UP_SECONDS = 2.0  # how long a question waits for the catalogue to read what the topics hold now


@dataclass(frozen=True)
class KnownMeasure:
    region_code: str
    start_date: date | None
    measure: Measure  # its lead and responsible units, which intake resolves to the units assigned to it


class Catalogue:
    def __init__(self, bootstrap_servers: str, topics: Topics):
        self.bootstrap_servers = bootstrap_servers
        self.measure_topic, self.registry_topic = topics.measure_created, topics.registry_published
        self.measures: dict[str, KnownMeasure] = {}
        self.registry: Registry | None = None
        self.registry_published: tuple[datetime, str] | None = None  # (event time, id) of the registry held
        self.consumer: AIOKafkaConsumer | None = None
        self.read = asyncio.Event()  # set after every batch read, so a waiting question looks again
        self.reading = asyncio.Event()  # set once the consumer has read its first batch (positions are known)

    def add(self, measure: Measure) -> None:
        """A measure intake published itself is known at once, before it comes back from the topic."""
        self.measures[measure.measure_id] = KnownMeasure(measure.region_code, measure.start_date, measure)

    def add_registry(self, event: RegistryPublished) -> None:
        """The latest registry by publication (event time, then id), whatever order the records come in."""
        if self.registry_published is None or (event.time, event.id) > self.registry_published:
            self.registry, self.registry_published = event.data, (event.time, event.id)

    async def follow(self) -> None:
        """Reads the topics from their beginning, for ever (run as a task; retries while Kafka is unreachable)."""
        while True:
            try:
                await self._follow()
            except (KafkaError, OSError) as error:
                log.warning("catalogue_unreachable", error=repr(error))
            finally:
                consumer, self.consumer = self.consumer, None
                self.reading.clear()
                if consumer is not None:
                    await consumer.stop()
            await asyncio.sleep(2)

    async def _follow(self) -> None:
        # Without a group, a subscription is assigned every partition and, committing nothing, starts each at its
        # beginning (auto_offset_reset) on every start.
        consumer = AIOKafkaConsumer(self.measure_topic, self.registry_topic, bootstrap_servers=self.bootstrap_servers,
                                    group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
        await consumer.start()
        self.consumer = consumer
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=1000)
            for records in batches.values():
                for record in records:
                    self._take(record.topic, record.value)
            if consumer.assignment():
                self.reading.set()
            self.read.set()
            self.read.clear()

    def _take(self, topic: str, value: bytes | None) -> None:
        try:
            if topic == self.measure_topic:
                self.add(MeasureCreated.model_validate_json(value or b"").data)
            else:
                self.add_registry(RegistryPublished.model_validate_json(value or b""))
        except ValidationError:
            pass  # not a measure or registry: the tracker dead-letters it with the reason

    async def caught_up(self) -> bool:
        """Whether every record the topics hold now has been read (waits up to CATCH_UP_SECONDS for it)."""
        try:
            async with asyncio.timeout(CATCH_UP_SECONDS):
                await self.reading.wait()
                consumer = self.consumer
                ends = await consumer.end_offsets(list(consumer.assignment()))
                while [p for p, end in ends.items() if await consumer.position(p) < end]:
                    await self.read.wait()
        except (TimeoutError, KafkaError, AttributeError) as error:  # AttributeError: the consumer just stopped
            log.info("catalogue_behind", error=repr(error))
            return False
        return True

    async def measure(self, measure_id: str) -> KnownMeasure | None | bool:
        """The measure when known; False when the catalogue has read the whole topic and it is not there; None
        when intake cannot tell yet."""
        if measure_id in self.measures:
            return self.measures[measure_id]
        if await self.caught_up():
            return self.measures.get(measure_id, False)
        return None
