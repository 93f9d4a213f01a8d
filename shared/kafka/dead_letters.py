"""The dead-letter record format.

A dead letter (see shared/kafka/consuming.py) is the original payload and key with the original headers, plus
`dlq-reason`, `dlq-consumer-group` (the group that could not apply it), `dlq-source-topic`,
`dlq-source-partition`, `dlq-source-offset`, `dlq-source-timestamp` and `dlq-failed-at`. Header values travel
as text (FastStream publishes text headers): one that is not UTF-8 is carried base64-encoded and named in
`dlq-base64-headers`, one that is null is carried empty and named in `dlq-null-headers`, so a replay restores
its bytes or its null; `dlq-headers` lists the original names, so the headers FastStream adds on publishing
the dead letter are not replayed. The dead-letter topic has several partitions, so a dead letter is addressed as
`<partition>:<offset>`.

This module is that format: `carried_headers` writes a record's headers as a dead letter carries them
(shared/kafka/consuming.py), `DeadLetter` reads one back, and `dead_letters` reads the whole topic. Listing and
replaying them is the operators' CLI (cli/dead_letter_listing.py, cli/dead_letter_replay.py).
"""

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import ConsumerRecord

from shared.contracts import Topics
from shared.kafka.broker import kafka_security_options
from shared.kafka.topic_reading import read_from_start  # the services' rebuilds still import it from here
from shared.settings import ServiceSettings

DLQ_HEADER_PREFIX = "dlq-"
REPLAYED_FROM = "dlq-replayed-from"
BASE64_HEADERS = "dlq-base64-headers"  # a JSON list of the original headers carried base64-encoded
NULL_HEADERS = "dlq-null-headers"  # a JSON list of the original headers whose value was null
# A JSON list of the original headers' names: FastStream adds its own (correlation_id, an empty content-type)
# when it publishes the dead letter, and a replay must not send them as if the producer had.
ORIGINAL_HEADERS = "dlq-headers"


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    @classmethod
    def of(cls, record: ConsumerRecord) -> "DeadLetter":
        return cls(record.topic, record.partition, record.offset, record.timestamp, record.key,
                   record.value or b"", tuple(record.headers))

    @property
    def address(self) -> str:
        return f"{self.partition}:{self.offset}"

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key == name]
        return values[-1].decode(errors="replace") if values else None

    @property
    def source_topic(self) -> str | None:
        return self.header("dlq-source-topic")

    @property
    def reason(self) -> str:
        return self.header("dlq-reason") or ""

    @property
    def source(self) -> tuple[str | None, str | None, str | None]:
        """The record it came from: topic, partition, offset."""
        return self.source_topic, self.header("dlq-source-partition"), self.header("dlq-source-offset")

    @property
    def source_timestamp_ms(self) -> int | None:
        """The source record's timestamp, for its replay; None for a dead letter written before it was kept."""
        timestamp = self.header("dlq-source-timestamp")
        return int(timestamp) if timestamp and int(timestamp) >= 0 else None

    @property
    def original_headers(self) -> list[tuple[str, bytes | None]]:
        encoded = set(json.loads(self.header(BASE64_HEADERS) or "[]"))
        null = set(json.loads(self.header(NULL_HEADERS) or "[]"))
        carried = {key: value for key, value in self.headers if not key.startswith(DLQ_HEADER_PREFIX)}
        named = self.header(ORIGINAL_HEADERS)  # in their order; absent in dead letters written before it was kept
        return [(key, None if key in null else base64.b64decode(carried[key]) if key in encoded else carried[key])
                for key in (json.loads(named) if named else carried) if key in carried]

    @property
    def event(self) -> dict:
        """The CloudEvent's attributes: from the `ce_` headers in binary content mode, else the envelope when
        the payload is a JSON object, else {}."""
        if self.header("ce_specversion") is not None:
            return {key.removeprefix("ce_"): self.header(key) for key, _ in self.headers if key.startswith("ce_")}
        try:
            event = json.loads(self.value)
        except ValueError:
            return {}
        return event if isinstance(event, dict) else {}


def carried_headers(headers: Iterable[tuple[str, bytes | None]]) -> dict[str, str]:
    """A record's headers as a dead letter carries them: UTF-8 values as text, other bytes base64-encoded and
    listed under BASE64_HEADERS, null values empty and listed under NULL_HEADERS, every name listed under
    ORIGINAL_HEADERS (a name given twice keeps its last value, as a dict must)."""
    carried: dict[str, str] = {}
    form: dict[str, str] = {}  # name -> "text", "base64" or "null"
    for name, value in headers:
        if value is None:
            carried[name], form[name] = "", "null"
            continue
        try:
            carried[name], form[name] = value.decode(), "text"
        except UnicodeDecodeError:
            carried[name], form[name] = base64.b64encode(value).decode(), "base64"
    for listing, kind in ((BASE64_HEADERS, "base64"), (NULL_HEADERS, "null")):
        if kind in form.values():
            carried[listing] = json.dumps([name for name, its in form.items() if its == kind])
    carried[ORIGINAL_HEADERS] = json.dumps(list(form), ensure_ascii=False)
    return carried


async def dead_letters(settings: ServiceSettings) -> list[DeadLetter]:
    """Every dead letter on the deployment's dead-letter topic, in partition batches as read."""
    topic = Topics(settings.topic_prefix).dead_letter
    batches = read_from_start(settings.kafka_bootstrap_servers, topic, **kafka_security_options(settings))
    return [DeadLetter.of(record) async for batch in batches for record in batch]
