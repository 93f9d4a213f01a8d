"""What intake knows of the platform's reference data, learnt from the topics: every measure (measure-created) and
the latest registry (registry-published). So a report on an unknown measure, or naming a unit the registry does
not have, is refused at intake (422) rather than accepted and dead-lettered or counted as a phantom later.

A read model in memory: entrypoints/kafka/catalogue.py feeds it from the topics' beginning and says whether it
has read up to their end. Until then intake does not know whether a measure is missing or just not read yet,
and says so (None): intake then accepts, and the tracker dead-letters the report if the measure never comes.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

from services.intake.domain.admission import MeasureKnowledge
from shared.contracts import Measure, Registry, RegistryPublished


class Catalogue:
    def __init__(self, caught_up: Callable[[], Awaitable[bool]]):
        """`caught_up()`: whether every record the topics hold now has been fed in (it may wait a little)."""
        self.caught_up = caught_up
        self.measures: dict[str, Measure] = {}
        self.registry: Registry | None = None
        self.registry_published: tuple[datetime, str] | None = None  # (event time, id) of the registry held

    def add(self, measure: Measure) -> None:
        """A measure read from the topic, or one intake published itself (known at once, before it comes back)."""
        self.measures[measure.measure_id] = measure

    def add_registry(self, event: RegistryPublished) -> None:
        """The latest registry by publication (event time, then id), whatever order the records come in."""
        if self.registry_published is None or (event.time, event.id) > self.registry_published:
            self.registry, self.registry_published = event.data, (event.time, event.id)

    async def measure(self, measure_id: str) -> MeasureKnowledge:
        """The measure when known; False when the catalogue has read the whole topic and it is not there; None
        when intake cannot tell yet."""
        if measure_id in self.measures:
            return self.measures[measure_id]
        if await self.caught_up():
            return self.measures.get(measure_id, False)
        return None
