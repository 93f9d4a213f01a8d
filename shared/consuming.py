"""How every duban consumer treats a message: parse against the contract, apply, then commit.

- A message that does not match the contract goes to the dead-letter topic at once.
- A database that cannot be reached is retried with backoff; past the budget the handler raises, FastStream
  nacks (seeks back) and nothing is committed, so the message comes again.
- Any other failure (an unknown measure, a bug) is retried a bounded number of times, then dead-lettered,
  so one poison message never stops its partition.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from pydantic import BaseModel, ValidationError
from pymongo.errors import ConnectionFailure

from shared.broker import publish_dead_letter
from shared.contracts import Topics

EventT = TypeVar("EventT", bound=BaseModel)
log = structlog.get_logger()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0
    # How long an unreachable database may stall one message before it is handed back to Kafka.
    transient_budget_seconds: float = 60.0

    def backoff(self, attempt: int) -> float:
        return min(self.first_backoff_seconds * 2**attempt, self.max_backoff_seconds)


class Consumer:
    def __init__(self, broker: KafkaBroker, topics: Topics, policy: RetryPolicy):
        self.broker, self.topics, self.policy = broker, topics, policy

    async def consume(
        self, message: KafkaMessage, contract: type[EventT], apply: Callable[[EventT], Awaitable[None]]
    ) -> None:
        record = message.raw_message
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(topic=record.topic, partition=record.partition, offset=record.offset)
        try:
            event = contract.model_validate_json(message.body)
        except ValidationError as error:
            await self.dead_letter(message, f"contract violation ({contract.__name__}): {error}")
            return
        structlog.contextvars.bind_contextvars(event_id=event.id)
        try:
            await self.apply_with_retries(message, event, apply)
        finally:
            structlog.contextvars.clear_contextvars()

    async def apply_with_retries(self, message: KafkaMessage, event, apply) -> None:
        started, attempt = time.monotonic(), 0
        while True:
            try:
                await apply(event)
                log.info("event_applied", type=event.type)
                return
            except ConnectionFailure as error:
                if time.monotonic() - started > self.policy.transient_budget_seconds:
                    raise  # nacked: the offset is not committed and the message is fetched again
                log.warning("database_unreachable", error=repr(error))
                await asyncio.sleep(self.policy.backoff(min(attempt, 10)))
            except Exception as error:  # anything else is this message's fault, after enough tries
                attempt += 1
                if attempt >= self.policy.attempts:
                    await self.dead_letter(message, f"failed after {attempt} attempts: {error!r}")
                    return
                log.warning("apply_failed", attempt=attempt, error=repr(error))
                await asyncio.sleep(self.policy.backoff(attempt))

    async def dead_letter(self, message: KafkaMessage, reason: str) -> None:
        record = message.raw_message
        await publish_dead_letter(
            self.broker,
            self.topics,
            body=message.body,
            key=record.key,
            headers={name: value.decode(errors="replace") for name, value in record.headers},
            reason=reason,
            source_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
