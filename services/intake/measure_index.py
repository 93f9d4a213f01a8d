"""The measures intake knows, read from the measure-created topic, so a report on an unknown measure is refused
at intake (422) rather than accepted and dead-lettered by the tracker seconds later.

Every intake process reads the whole topic itself (no consumer group: each needs every measure; measures number
thousands, a few hundred bytes each). Until it has read up to the topic's end, it does not know whether a measure
is missing or just not read yet, and says so (None): intake then accepts, and the tracker dead-letters the report
if the measure never comes.
"""

import asyncio
from dataclasses import dataclass
from datetime import date

import structlog
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from shared.contracts import Measure, MeasureCreated

log = structlog.get_logger()
CATCH_UP_SECONDS = 2.0  # how long a question waits for the index to read what the topic holds now


@dataclass(frozen=True)
class KnownMeasure:
    region_code: str
    start_date: date | None


class MeasureIndex:
    def __init__(self, bootstrap_servers: str, topic: str):
        self.bootstrap_servers, self.topic = bootstrap_servers, topic
        self.measures: dict[str, KnownMeasure] = {}
        self.consumer: AIOKafkaConsumer | None = None
        self.read = asyncio.Event()  # set after every batch read, so a waiting question looks again
        self.reading = asyncio.Event()  # set once the consumer has read its first batch (positions are known)

    def add(self, measure: Measure) -> None:
        """A measure intake published itself is known at once, before it comes back from the topic."""
        self.measures[measure.measure_id] = KnownMeasure(measure.region_code, measure.start_date)

    async def follow(self) -> None:
        """Reads the topic from its beginning, for ever (run as a task; retries while Kafka is unreachable)."""
        while True:
            try:
                await self._follow()
            except (KafkaError, OSError) as error:
                log.warning("measure_index_unreachable", error=repr(error))
            finally:
                consumer, self.consumer = self.consumer, None
                self.reading.clear()
                if consumer is not None:
                    await consumer.stop()
            await asyncio.sleep(2)

    async def _follow(self) -> None:
        # Without a group, a subscription is assigned every partition and, committing nothing, starts each at its
        # beginning (auto_offset_reset) on every start.
        consumer = AIOKafkaConsumer(self.topic, bootstrap_servers=self.bootstrap_servers, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest")
        await consumer.start()
        self.consumer = consumer
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=1000)
            for records in batches.values():
                for record in records:
                    self._index(record.value)
            if consumer.assignment():
                self.reading.set()
            self.read.set()
            self.read.clear()

    def _index(self, value: bytes | None) -> None:
        try:
            self.add(MeasureCreated.model_validate_json(value or b"").data)
        except ValidationError:
            pass  # not a measure: the tracker dead-letters it with the reason

    async def caught_up(self) -> bool:
        """Whether every record the topic holds now has been read (waits up to CATCH_UP_SECONDS for it)."""
        try:
            async with asyncio.timeout(CATCH_UP_SECONDS):
                await self.reading.wait()
                consumer = self.consumer
                ends = await consumer.end_offsets(list(consumer.assignment()))
                while [p for p, end in ends.items() if await consumer.position(p) < end]:
                    await self.read.wait()
        except (TimeoutError, KafkaError, AttributeError) as error:  # AttributeError: the consumer just stopped
            log.info("measure_index_behind", error=repr(error))
            return False
        return True

    async def lookup(self, measure_id: str) -> KnownMeasure | None | bool:
        """The measure when known; False when the index has read the whole topic and it is not there; None when
        intake cannot tell yet."""
        if measure_id in self.measures:
            return self.measures[measure_id]
        if await self.caught_up():
            return self.measures.get(measure_id, False)
        return None
