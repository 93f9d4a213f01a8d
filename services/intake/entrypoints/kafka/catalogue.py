"""The catalogue's subscriber: every intake process reads measure-created and registry-published itself, from
their beginning (no consumer group: each needs all of it; measures number thousands, a few hundred bytes each),
into its storage/catalogue.Catalogue, and tells whether it has read what the topics hold now. With a clients file, a
measure or registry from outside its producer's scope is left out, as the tracker leaves it out
(shared/web/producers.py): intake must not admit reports on a measure the tracker refused."""

import asyncio

import structlog
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from services.intake.storage.catalogue import Catalogue
from shared.contracts import MeasureCreated, RegistryPublished, Topics
from shared.kafka.consuming import Admission

log = structlog.get_logger()
CATCH_UP_SECONDS = 2.0  # how long a question waits for the catalogue to read what the topics hold now


class CatalogueFeed:
    def __init__(self, bootstrap_servers: str, topics: Topics, admit: Admission | None = None):
        self.bootstrap_servers, self.admit = bootstrap_servers, admit
        self.measure_topic, self.registry_topic = topics.measure_created, topics.registry_published
        self.consumer: AIOKafkaConsumer | None = None
        self.read = asyncio.Event()  # set after every batch read, so a waiting question looks again
        self.reading = asyncio.Event()  # set once the consumer has read its first batch (positions are known)

    async def follow(self, catalogue: Catalogue) -> None:
        """Reads the topics into `catalogue` from their beginning, for ever (run as a task; retries while Kafka is
        unreachable)."""
        while True:
            try:
                await self._follow(catalogue)
            except (KafkaError, OSError) as error:
                log.warning("catalogue_unreachable", error=repr(error))
            finally:
                consumer, self.consumer = self.consumer, None
                self.reading.clear()
                if consumer is not None:
                    await consumer.stop()
            await asyncio.sleep(2)

    async def _follow(self, catalogue: Catalogue) -> None:
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
                    self.take(catalogue, record.topic, record.value)
            if consumer.assignment():
                self.reading.set()
            self.read.set()
            self.read.clear()

    def take(self, catalogue: Catalogue, topic: str, value: bytes | None) -> None:
        try:
            event = (MeasureCreated if topic == self.measure_topic else RegistryPublished).model_validate_json(
                value or b"")
        except ValidationError:
            return  # not a measure or registry: the tracker dead-letters it with the reason
        if self.admit is not None and self.admit(event):
            return  # from outside its producer's scope: the tracker dead-letters it with the reason
        if isinstance(event, MeasureCreated):
            catalogue.add(event.data)
        else:
            catalogue.add_registry(event)

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
