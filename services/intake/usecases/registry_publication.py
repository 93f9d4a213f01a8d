"""The region and unit registry published as one registry-published event, and remembered for plan previews."""

from services.intake.storage.registries import KnownRegistry
from services.intake.usecases.ports import Publisher
from shared.contracts import Registry, RegistryPublished, Topics

REGISTRY_KEY = "registry"  # one key: the latest registry is the last record of its partition


class RegistryPublication:
    def __init__(self, publisher: Publisher, known: KnownRegistry, topics: Topics):
        self.publisher, self.known, self.topics = publisher, known, topics

    async def run(self, registry: Registry, source: str) -> RegistryPublished:
        """Raises BrokerUnavailable (and remembers nothing then)."""
        event = RegistryPublished.wrap(registry, source=source, subject=REGISTRY_KEY)
        await self.publisher.publish(self.topics.registry_published, event, REGISTRY_KEY)
        self.known.remember(registry)
        return event
