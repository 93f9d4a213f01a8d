"""Publishes accepted input as CloudEvents, and says plainly when Kafka cannot take it."""

import asyncio

import structlog
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker

from services.intake.settings import IntakeSettings
from shared.contracts import CloudEvent
from shared.kafka.broker import connect_when_reachable, publish_event

log = structlog.get_logger()


class BrokerUnavailable(Exception):
    pass


class EventPublisher:
    def __init__(self, broker: KafkaBroker, settings: IntakeSettings):
        self.broker = broker
        self.settings = settings
        self.connected = False

    async def keep_connecting(self) -> None:
        """Intake starts even when Kafka is down, answering 503 until the broker is reachable."""
        await connect_when_reachable(self.broker, self.settings, start_subscribers=False)
        self.connected = True

    async def publish(self, topic: str, event: CloudEvent, key: str) -> None:
        if not self.connected:
            raise BrokerUnavailable("消息中间件 Kafka 暂不可用")
        try:
            await asyncio.wait_for(
                publish_event(self.broker, topic, event, key),
                timeout=self.settings.publish_timeout_seconds + 1,
            )
        except (KafkaError, TimeoutError) as error:
            log.error("publish_failed", topic=topic, error=repr(error))
            raise BrokerUnavailable(f"消息中间件 Kafka 未确认收到该事件（{type(error).__name__}）") from error
