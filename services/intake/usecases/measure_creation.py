"""One measure sent alone, published as measure-created and known to the catalogue at once, so reports on it
are admitted before it comes back from Kafka."""

from services.intake.storage.catalogue import Catalogue
from services.intake.usecases.ports import Idempotency, Publisher
from shared.contracts import Measure, MeasureCreated, Topics


class MeasureCreation:
    def __init__(self, publisher: Publisher, idempotency: Idempotency, catalogue: Catalogue, topics: Topics):
        self.publisher, self.idempotency, self.catalogue, self.topics = publisher, idempotency, catalogue, topics

    async def run(self, measure: Measure, source: str, idempotency: tuple[str, str] | None = None) -> MeasureCreated:
        """Raises BrokerUnavailable, or KeyReused for an idempotency (scope, key) seen with another measure."""
        event_id = None if idempotency is None else await self.idempotency.event_id_for(*idempotency, measure)
        event = MeasureCreated.wrap(measure, source=source, subject=measure.measure_id, event_id=event_id)
        await self.publisher.publish(self.topics.measure_created, event, measure.measure_id)
        self.catalogue.add(measure)
        return event
