"""What the use cases need from storage and the broker; main.py gives them the real ones (storage/), the unit
tests in-memory fakes (tests/unit/intake/usecases/fakes.py)."""

from typing import Protocol

from pydantic import BaseModel

from services.intake.storage.idempotency import KeyReused
from shared.contracts import CloudEvent


class Publisher(Protocol):
    """storage/publisher.EventPublisher: raises storage.publisher.BrokerUnavailable when Kafka cannot take it."""

    connected: bool

    async def publish(self, topic: str, event: CloudEvent, key: str) -> None: ...


class Idempotency(Protocol):
    """storage/idempotency.IdempotencyKeys: the event id of the first request with this key (KeyReused when it
    came with another body)."""

    async def event_id_for(self, scope: str, key: str, body: BaseModel) -> str: ...

    async def event_ids_for(self, scope: str, bodies: dict[str, BaseModel]) -> dict[str, str | KeyReused]:
        """Each key's event id, or the KeyReused event_id_for would raise, claimed at once for a batch."""
        ...
