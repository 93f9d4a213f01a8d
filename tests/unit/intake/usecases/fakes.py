"""In-memory stand-ins for what intake's use cases tell (usecases/ports.py): the broker and the idempotency
keys. The catalogue is the real read model (storage/catalogue.py), given a `caught_up` the test decides."""

from dataclasses import dataclass, field

from pydantic import BaseModel

from services.intake.storage.catalogue import Catalogue
from services.intake.storage.idempotency import KeyReused, fingerprint
from services.intake.storage.publisher import BrokerUnavailable
from shared.contracts import CloudEvent, new_event_id


@dataclass
class FakePublisher:
    """Records what it publishes as (topic, event, key); refuses every event after `takes` of them."""

    connected: bool = True
    takes: int | None = None
    published: list[tuple[str, CloudEvent, str]] = field(default_factory=list)

    async def publish(self, topic: str, event: CloudEvent, key: str) -> None:
        if not self.connected or (self.takes is not None and len(self.published) >= self.takes):
            raise BrokerUnavailable("Kafka did not confirm the event: KafkaTimeoutError")
        self.published.append((topic, event, key))

    def on(self, topic: str) -> list[CloudEvent]:
        return [event for published_topic, event, _ in self.published if published_topic == topic]


@dataclass
class FakeIdempotency:
    """storage/idempotency.IdempotencyKeys in a dict: the first claim of (scope, key) wins. `calls`: how many
    times the store was asked (a batch's keys are claimed in one call)."""

    claims: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    calls: int = 0

    async def event_id_for(self, scope: str, key: str, body: BaseModel) -> str:
        outcome = (await self.event_ids_for(scope, {key: body}))[key]
        if isinstance(outcome, KeyReused):
            raise outcome
        return outcome

    async def event_ids_for(self, scope: str, bodies: dict[str, BaseModel]) -> dict[str, str | KeyReused]:
        self.calls += 1
        outcomes: dict[str, str | KeyReused] = {}
        for key, body in bodies.items():
            sent, event_id = self.claims.setdefault((scope, key), (fingerprint(body), new_event_id()))
            outcomes[key] = event_id if sent == fingerprint(body) else KeyReused(key)
        return outcomes


def catalogue(caught_up: bool = True) -> Catalogue:
    """A catalogue that has (or has not yet) read what the topics hold: nothing, until the test adds to it."""
    async def read_all() -> bool:
        return caught_up

    return Catalogue(read_all)
