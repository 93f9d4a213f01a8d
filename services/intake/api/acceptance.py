"""What intake answers once an event is on Kafka, and the 503 when it cannot be."""

from pydantic import BaseModel

from services.intake.publishing import BrokerUnavailable, EventPublisher
from shared.contracts import CloudEvent
from shared.problems import Problem


class Accepted(BaseModel):
    event_id: str
    type: str
    topic: str


async def publish_or_problem(publisher: EventPublisher, topic: str, event: CloudEvent, key: str) -> Accepted:
    try:
        await publisher.publish(topic, event, key)
    except BrokerUnavailable as error:
        raise broker_unavailable(publisher, error) from error
    return Accepted(event_id=event.id, type=event.type, topic=topic)


def broker_unavailable(publisher: EventPublisher, error: BrokerUnavailable) -> Problem:
    return Problem(503, "Event broker unavailable", f"{error}. Nothing was accepted; retry later.",
                   slug="broker-unavailable", headers={"Retry-After": str(publisher.settings.retry_after_seconds)})
