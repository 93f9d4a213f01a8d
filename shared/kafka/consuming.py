"""How every duban consumer treats a batch of messages: parse against the contract, apply, then commit.

- Every record becomes an event or a dead letter here (event_of), for every consumer group: nothing a group
  commits past was neither applied nor dead-lettered. A record that does not match the contract, or that breaks
  the parser itself (garbage bytes, invalid UTF-8, an empty value, JSON that is not an object, nesting past
  the parser's limit, a header the binding cannot read), goes to the dead-letter topic at once, with the reason
  and a `dlq-consumer-group` header naming the group.
- A consumer may be given an admission (`admit`): an event it refuses (its producer may not publish it:
  shared/web/producers.py) is dead-lettered at once with the admission's reason, never applied.
- A database that cannot be reached is retried with backoff; past the budget the handler raises, FastStream
  nacks (seeks back to the batch's first offsets) and nothing is committed, so the batch comes again.
- An event the handler cannot apply yet (a report whose measure has not arrived) is retried a bounded
  number of times, then dead-lettered with the handler's reason.
- A batch that fails for any other reason is applied one event at a time, so the one poison message is
  found, retried, and dead-lettered, and the rest of its partition keeps moving.
- No header can stop the batch (headerless: FastStream never sees them); the dead letter keeps their bytes.

A record is read in either content mode of the CloudEvents Kafka protocol binding (v1.0.2 §3.1-3.3):
- structured: a `content-type` header starting `application/cloudevents` (only `+json` is read), or no
  `ce_specversion` header: the value is the JSON envelope;
- binary: a `ce_specversion` header and no structured content-type: each attribute is a `ce_<name>` header
  (UTF-8; extensions such as `ce_traceparent` too), the `content-type` header is `datacontenttype`, the value is
  `data`.
The value is text in the charset its content type names (`application/json; charset=GBK`; UTF-8 when none),
a leading UTF-8 byte order mark dropped. A header whose value is null (Kafka allows it) is read as absent.
An event without `time` takes the record's timestamp (shared/contracts/cloudevents.py).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Generic, TypeVar

import structlog
from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from pydantic import BaseModel, ValidationError
from pymongo.errors import ConnectionFailure

from shared.contracts import Topics
from shared.contracts.cloudevents import RECORD_TIME, is_json_media_type, text_of
from shared.kafka.broker import publish_dead_letter
from shared.kafka.dead_letters import carried_headers

EventT = TypeVar("EventT", bound=BaseModel)
LOGGED_IDS = 20  # event ids named in a batch's log line
# Applies events; returns the ones it cannot apply yet, each with the reason.
ApplyBatch = Callable[[list[EventT]], Awaitable[dict[str, str]]]
# Whether an event may be applied at all: the reason it may not, else None.
Admission = Callable[[BaseModel], str | None]
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


# A group's members learn that it rebalances from their next heartbeat. A service has one consumer per topic in its
# group (the tracker nine, reporting seven), and FastStream starts them one after another, each waiting for its
# assignment (aiokafka's start), so each start is a rebalance the earlier ones must heartbeat into: at Kafka's
# default 3 s a tracker was ready ~27 s after connecting, at 250 ms ~4 s (measured on the test broker). Kafka's
# documentation of heartbeat.interval.ms: "It can be adjusted even lower to control the expected time for normal
# rebalances." A heartbeat is one small request; the session timeout stays Kafka's 10 s.
HEARTBEAT_INTERVAL_MS = 250


def batch_subscription(group_id: str, max_records: int) -> dict:
    """The options of every batch subscriber: the group commits only after the handler returns (FastStream's
    Kafka default, ACK_FIRST, would be at-most-once; an exception seeks back to the batch), new groups start
    at the earliest offset, FastStream gets the records without their headers (headerless), and the bodies are
    left undecoded: the handlers read the records themselves (Consumer.parse), dead-lettering what they cannot.
    Members heartbeat every HEARTBEAT_INTERVAL_MS, so a rebalance takes about that long."""
    return dict(group_id=group_id, ack_policy=AckPolicy.NACK_ON_ERROR, auto_offset_reset="earliest", batch=True,
                max_records=max_records, batch_timeout_ms=200, parser=headerless, decoder=undecoded,
                heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS)


async def headerless(records: tuple[ConsumerRecord, ...], parse: Callable[[tuple], Awaitable]):
    """FastStream decodes every header value as UTF-8 before the handler runs. A null value or bytes that are
    not UTF-8 make that parse fail, and a batch whose parse fails is neither handled nor rewound (FastStream's
    nack parses it again with its own parser, which fails the same way), so the group's next commit passes the
    whole batch unread (faststream 0.7, middlewares/acknowledgement). FastStream also
    acts on some headers (`reply_to` would make it publish the handler's result there). So it parses copies
    without headers, and the message keeps the records as they came: the handlers read the headers there."""
    message = await parse(tuple(replace(record, headers=[]) for record in records))
    message.raw_message = records
    return message


async def undecoded(message, decode: Callable[..., Awaitable]) -> list[bytes]:
    return message.body


def records_of(message: KafkaMessage) -> Sequence[ConsumerRecord]:
    """The records as they came from Kafka (a batch subscriber's message holds a tuple of them)."""
    return message.raw_message if isinstance(message.raw_message, tuple) else (message.raw_message,)


class Refused(ValueError):
    """A record that is not an event of the contract; the message is the dead letter's reason."""


STRUCTURED = "application/cloudevents"


def event_of(record: ConsumerRecord, contract: type[EventT]) -> EventT:
    """The record's event in either content mode (see the module's doc), validated against the contract.

    Raises Refused with the reason; any other exception is a parser fault on this record (Consumer.parse
    dead-letters both).
    """
    headers = {name.lower(): value for name, value in record.headers if value is not None}  # the last counts
    context = {RECORD_TIME: record_time(record)}
    content_type = headers.get("content-type", b"").decode(errors="replace").strip()
    if content_type.lower().startswith(STRUCTURED):
        if not is_json_media_type(content_type) or "batch" in content_type.lower():
            raise Refused(f"contract violation ({contract.__name__}): content-type {content_type!r}: only the "
                          "JSON event format (application/cloudevents+json) is read; batches are not part of the "
                          "Kafka binding")
    elif "ce_specversion" in headers:
        return binary_event(record, headers, content_type, contract, context)
    try:
        return contract.model_validate_json(text_of(record.value or b"", content_type), context=context)
    except (ValidationError, ValueError) as error:
        raise Refused(f"contract violation ({contract.__name__}): {error}") from error


def binary_event(record: ConsumerRecord, headers: dict[str, bytes], content_type: str, contract: type[EventT],
                 context: dict) -> EventT:
    """Binary content mode: the attributes from the `ce_` headers, the value as the data."""
    attributes: dict[str, object] = {}
    for name, value in headers.items():
        if name.startswith("ce_"):
            try:
                attributes[name.removeprefix("ce_")] = value.decode()
            except UnicodeDecodeError as error:
                raise Refused(f"contract violation ({contract.__name__}, binary content mode): header {name} is "
                              f"not UTF-8 ({error})") from error
    if content_type:
        attributes["datacontenttype"] = content_type
    data_contract = contract.model_fields["data"].annotation
    try:
        attributes["data"] = data_contract.model_validate_json(text_of(record.value or b"", content_type))
    except (ValidationError, ValueError) as error:
        raise Refused(f"contract violation ({contract.__name__}, binary content mode): the record's value is "
                      f"the data: {error}") from error
    try:
        return contract.model_validate(attributes, context=context)
    except ValidationError as error:
        raise Refused(f"contract violation ({contract.__name__}, binary content mode): the ce_ headers are "
                      f"the attributes: {error}") from error


def record_time(record: ConsumerRecord) -> datetime | None:
    """The record's timestamp (milliseconds since the epoch, UTC); None when it has none (-1) or one no date
    can hold (a producer sets CreateTime to any 64-bit number): then an event without `time` is refused."""
    try:
        return datetime.fromtimestamp(record.timestamp / 1000, UTC) if record.timestamp >= 0 else None
    except (ValueError, OverflowError, OSError):
        return None


def event_context(event: BaseModel) -> dict[str, str]:
    """What a log line written while the event is applied carries: its id and, when it came with one, its W3C
    trace context (the CloudEvents Distributed Tracing extension's `traceparent`)."""
    traceparent = (event.model_extra or {}).get("traceparent")
    return {"event_id": event.id} | ({"traceparent": str(traceparent)} if traceparent else {})


@dataclass
class Batch(Generic[EventT]):
    events: list[EventT]
    # event id -> the records it came in, for dead-lettering (a redelivered event comes twice in one batch)
    records: dict[str, list[ConsumerRecord]]


class Consumer:
    """One consumer group's reading of its topics: `group` names it in its dead letters; `admit` (optional) refuses
    the events no producer of them may publish."""

    def __init__(self, broker: KafkaBroker, topics: Topics, group: str, policy: RetryPolicy | None = None,
                 admit: Admission | None = None):
        self.broker, self.topics, self.group, self.policy = broker, topics, group, policy or RetryPolicy()
        self.admit = admit

    async def consume(self, message: KafkaMessage, contract: type[EventT], apply: ApplyBatch) -> None:
        batch = await self.parse(records_of(message), contract)
        if not batch.events:  # every record was dead-lettered
            return
        try:
            # A lone event's lines name it (a larger batch's ids are listed in its batch_applied line).
            with structlog.contextvars.bound_contextvars(**event_context(batch.events[0]) if len(batch.events) == 1
                                                         else {}):
                await self.apply_with_retries(batch, apply)
        finally:
            structlog.contextvars.clear_contextvars()

    async def parse(self, records: Sequence[ConsumerRecord], contract: type[EventT]) -> Batch[EventT]:
        batch: Batch[EventT] = Batch([], {})
        for record in records:
            try:
                event = event_of(record, contract)
            except Refused as refused:
                await self.dead_letter(record, str(refused))
                continue
            except Exception as error:  # the parser broke on this record: it must not stall or be skipped
                await self.dead_letter(record, f"unreadable record ({type(error).__name__}): {error}")
                continue
            if self.admit is not None and (reason := self.admit(event)):
                await self.dead_letter(record, reason)
                continue
            batch.events.append(event)
            batch.records.setdefault(event.id, []).append(record)
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
                with structlog.contextvars.bound_contextvars(**event_context(event)):
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
            for record in batch.records[event_id]:
                await self.dead_letter(record, f"failed after {self.policy.attempts} attempts: {reason}")

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
            source=record,
            consumer_group=self.group,
        )
