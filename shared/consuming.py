"""How every duban consumer treats a batch of messages: parse against the contract, apply, then commit.

- A message that does not match the contract goes to the dead-letter topic at once.
- A database that cannot be reached is retried with backoff; past the budget the handler raises, FastStream
  nacks (seeks back to the batch's first offsets) and nothing is committed, so the batch comes again.
- An event the handler cannot apply yet (a report whose measure has not arrived) is retried a bounded
  number of times, then dead-lettered with the handler's reason.
- A batch that fails for any other reason is applied one event at a time, so the one poison message is
  found, retried, and dead-lettered, and the rest of its partition keeps moving.
- A header that is not UTF-8 does not stop the batch (text_safe_headers); the dead letter keeps its bytes.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

import structlog
from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from pydantic import BaseModel, ValidationError
from pymongo.errors import ConnectionFailure

from shared.broker import publish_dead_letter
from shared.contracts import Topics
from shared.dead_letters import BASE64_HEADERS, carried_headers

EventT = TypeVar("EventT", bound=BaseModel)
LOGGED_IDS = 20  # event ids named in a batch's log line
# Applies events; returns the ones it cannot apply yet, each with the reason.
ApplyBatch = Callable[[list[EventT]], Awaitable[dict[str, str]]]
log = structlog.get_logger()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0
    # How long an unreachable database may stall one batch before it is handed back to Kafka.
    transient_budget_seconds: float = 60.0

    def backoff(self, attempt: int) -> float:
        return min(self.first_backoff_seconds * 2 ** min(attempt, 16), self.max_backoff_seconds)


def batch_subscription(group_id: str, max_records: int) -> dict:
    """The options of every batch subscriber: the group commits only after the handler returns (FastStream's
    Kafka default, ACK_FIRST, would be at-most-once; an exception seeks back to the batch), new groups start
    at the earliest offset, headers are parsed with text_safe_headers, and the bodies are left undecoded: the
    handlers validate the records themselves (Consumer.parse), dead-lettering what breaks the contract."""
    return dict(group_id=group_id, ack_policy=AckPolicy.NACK_ON_ERROR, auto_offset_reset="earliest", batch=True,
                max_records=max_records, batch_timeout_ms=200, parser=text_safe_headers, decoder=undecoded)


async def text_safe_headers(records: tuple[ConsumerRecord, ...], parse: Callable[[tuple], Awaitable]):
    """FastStream decodes every header value as UTF-8 and fails the whole batch on one that is not, again on
    every redelivery: one such record would stop its partition for good. It parses a copy whose headers are
    text (carried_headers: base64 for bytes that are not UTF-8), and keeps the records as they came, so a dead
    letter carries the original bytes."""
    message = await parse(tuple(map(_text_safe, records)))
    message.raw_message = records
    return message


async def undecoded(message, decode: Callable[..., Awaitable]) -> list[bytes]:
    return message.body


def _text_safe(record: ConsumerRecord) -> ConsumerRecord:
    carried = carried_headers(record.headers)
    if BASE64_HEADERS not in carried:  # every value was text: the record as it is
        return record
    return replace(record, headers=[(name, value.encode()) for name, value in carried.items()])


def records_of(message: KafkaMessage) -> Sequence[ConsumerRecord]:
    """The records as they came from Kafka (a batch subscriber's message holds a tuple of them)."""
    return message.raw_message if isinstance(message.raw_message, tuple) else (message.raw_message,)


@dataclass
class Batch(Generic[EventT]):
    events: list[EventT]
    records: dict[str, ConsumerRecord]  # event id -> the record it came in, for dead-lettering


class Consumer:
    def __init__(self, broker: KafkaBroker, topics: Topics, policy: RetryPolicy):
        self.broker, self.topics, self.policy = broker, topics, policy

    async def consume(self, message: KafkaMessage, contract: type[EventT], apply: ApplyBatch) -> None:
        batch = await self.parse(records_of(message), contract)
        try:
            await self.apply_with_retries(batch, apply)
        finally:
            structlog.contextvars.clear_contextvars()

    async def parse(self, records: Sequence[ConsumerRecord], contract: type[EventT]) -> Batch[EventT]:
        batch: Batch[EventT] = Batch([], {})
        for record in records:
            try:
                event = contract.model_validate_json(record.value or b"")
            except ValidationError as error:
                await self.dead_letter(record, f"contract violation ({contract.__name__}): {error}")
                continue
            batch.events.append(event)
            batch.records[event.id] = record
        return batch

    async def apply_with_retries(self, batch: Batch, apply: ApplyBatch) -> None:
        try:
            pending = await self.transient_retries(lambda: apply(batch.events))
        except ConnectionFailure:
            raise
        except Exception as error:  # something in the batch is poison: find it
            log.warning("batch_failed_applying_singly", size=len(batch.events), error=repr(error))
            pending = await self.apply_each(batch.events, apply)
            if len(batch.events) > 1 and len(pending) == len(batch.events):
                raise  # every event fails alone too: the fault is not in the events, so redeliver
        await self.retry_pending(batch, pending, apply)
        ids = list(batch.records)  # a batch holds up to max_records: name the first, then count
        log.info("batch_applied", size=len(batch.events), event_ids=ids[:LOGGED_IDS], more_ids=len(ids[LOGGED_IDS:]))

    async def apply_each(self, events: list, apply: ApplyBatch) -> dict[str, str]:
        """Applies events one at a time; returns those not applied, each with the reason."""
        pending: dict[str, str] = {}
        for event in events:
            try:
                pending |= await self.transient_retries(lambda event=event: apply([event]))
            except ConnectionFailure:
                raise
            except Exception as error:  # this event's own failure: retried, then dead-lettered
                pending[event.id] = repr(error)
        return pending

    async def retry_pending(self, batch: Batch, pending: dict[str, str], apply: ApplyBatch) -> None:
        """Events not applied get a few more tries (a measure may be a moment behind its reports)."""
        for attempt in range(1, self.policy.attempts):
            if not pending:
                return
            await asyncio.sleep(self.policy.backoff(attempt))
            pending = await self.apply_each([event for event in batch.events if event.id in pending], apply)
        for event_id, reason in pending.items():
            await self.dead_letter(batch.records[event_id], f"failed after {self.policy.attempts} attempts: {reason}")

    async def transient_retries(self, operation: Callable[[], Awaitable[dict[str, str]]]) -> dict[str, str]:
        started, attempt = time.monotonic(), 0
        while True:
            try:
                return await operation()
            except ConnectionFailure as error:
                if time.monotonic() - started > self.policy.transient_budget_seconds:
                    raise  # nacked: the offsets are not committed and the batch is fetched again
                log.warning("database_unreachable", error=repr(error), attempt=attempt)
                await asyncio.sleep(self.policy.backoff(attempt))
                attempt += 1

    async def dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        await publish_dead_letter(
            self.broker,
            self.topics,
            body=record.value or b"",
            key=record.key,
            headers=carried_headers(record.headers),
            reason=reason,
            source_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
