"""The dead-letter topic for operators: list dead letters, and replay them to the topic they failed on.

A dead letter (see shared/consuming.py) is the original payload and key with the original headers, plus
`dlq-reason`, `dlq-consumer-group` (the group that could not apply it), `dlq-source-topic`,
`dlq-source-partition`, `dlq-source-offset`, `dlq-source-timestamp` and `dlq-failed-at`. Header values travel
as text (FastStream publishes text headers): one that is not UTF-8 is carried base64-encoded and named in
`dlq-base64-headers`, one that is null is carried empty and named in `dlq-null-headers`, so a replay restores
its bytes or its null; `dlq-headers` lists the original names, so the headers FastStream adds on publishing
the dead letter are not replayed. The dead-letter topic has several partitions, so a dead letter is addressed as
`<partition>:<offset>`.

Replaying publishes the original payload, key and headers (without the dlq-* ones, plus `dlq-replayed-from:
<partition>:<offset>`) to the source topic, with the original record's timestamp (an event without `time`
takes it, so the replay is the same event), and the event goes through the consumers' normal path again. The
same key lands on the same partition, behind the events already there; the tracker orders reports by their
own time, so arriving late changes nothing but when.

Every consumer group dead-letters what it cannot apply itself (the tracker and alerts both refuse a record
that breaks the contract, so such a record has a dead letter per group). A replay goes to the source topic,
which every group reads: the group whose dead letter it is applies the event at last, and the others see it
once more, which they absorb (the tracker changes nothing for an event id it has; alerts re-judges the
measure, which judges the same state the same way). A replay to one group only would need a topic per group.
`--all` replays each source record once, however many groups dead-lettered it, and records every one of
its dead letters as replayed.

What was replayed is kept in a replay record: the compacted topic `<dead-letter topic>-replays`, one record
per replayed dead letter, keyed by its address and timestamp, saying where the replay was published. A
record rather than a consumer group's committed offsets, because an operator replays single dead letters
(`--offset`) as well as all of them, and a group's offset can only say "everything before here"; and a topic
rather than a database collection, so the record lives and is retained beside the dead letters it speaks of,
and needs nothing but Kafka. The key carries the dead letter's timestamp, so a dead-letter topic deleted and
recreated (offsets starting again at 0) does not inherit old records.

The record is written after the replay is acknowledged: a crash in between replays that dead letter again
next time, which the consumers absorb (an event id seen before changes nothing). Two operators replaying at
once may likewise both publish one dead letter; the same holds.

Replaying everything (`replay_all`) skips what was replayed before and dead letters that are themselves a
replay that failed again (they carry `dlq-replayed-from`): replaying those unchanged would only loop. Either
can still be replayed by its address.
"""

import base64
import json
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.broker import kafka_security_options
from shared.contracts import Topics
from shared.settings import ServiceSettings

DLQ_HEADER_PREFIX = "dlq-"
REPLAYED_FROM = "dlq-replayed-from"
BASE64_HEADERS = "dlq-base64-headers"  # a JSON list of the original headers carried base64-encoded
NULL_HEADERS = "dlq-null-headers"  # a JSON list of the original headers whose value was null
# A JSON list of the original headers' names: FastStream adds its own (correlation_id, an empty content-type)
# when it publishes the dead letter, and a replay must not send them as if the producer had.
ORIGINAL_HEADERS = "dlq-headers"
READ_BATCH = 500


async def read_from_start(bootstrap: str, topic: str, batch_size: int = READ_BATCH,
                          **security) -> AsyncIterator[list]:
    """Every record of a topic, in batches, from the start to its end offsets as they were when reading began.

    No consumer group: nothing is committed, and the services' groups are not disturbed. A topic that does not
    exist yields nothing (and is not auto-created). `security`: aiokafka's SASL/TLS options
    (shared/broker.py kafka_security_options).
    """
    partitions = [TopicPartition(topic, partition) for partition in await partitions_of(bootstrap, topic, **security)]
    if not partitions:
        return
    # No group, so no committed offsets: every partition starts where the reset policy says, the earliest.
    # (An explicit seek_to_beginning can lose a race with the reset the assignment starts.)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", **security)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
        while remaining:
            fetched = await consumer.getmany(*remaining, timeout_ms=1_000, max_records=batch_size)
            batch = [record for tp, records in fetched.items() for record in records if record.offset < ends[tp]]
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
            if batch:
                yield batch
    finally:
        await consumer.stop()


async def partitions_of(bootstrap: str, topic: str, **security) -> list[int]:
    """The topic's partitions, none if it does not exist; asks for every topic's metadata, so creates none."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **security)
    await admin.start()
    try:
        described = [t for t in await admin.describe_topics() if t["topic"] == topic]
        return sorted(p["partition"] for t in described for p in t["partitions"])
    finally:
        await admin.close()


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

    @property
    def record_key(self) -> str:
        """Its key in the replay record: the address, and the timestamp that tells a recreated topic apart."""
        return f"{self.address}@{self.timestamp_ms}"

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

    def describe(self, replay: dict | None) -> dict:
        source_partition, source_offset = self.header("dlq-source-partition"), self.header("dlq-source-offset")
        event = self.event
        return {
            "address": self.address,
            "source_topic": self.source_topic,
            "source_partition": int(source_partition) if source_partition else None,
            "source_offset": int(source_offset) if source_offset else None,
            "consumer_group": self.header("dlq-consumer-group"),
            "failed_at": self.header("dlq-failed-at"),
            "reason": self.reason,
            "event_id": event.get("id") if isinstance(event.get("id"), str) else None,
            "event_type": event.get("type") if isinstance(event.get("type"), str) else None,
            "key": self.key.decode(errors="replace") if self.key is not None else None,
            "replay_of": self.header(REPLAYED_FROM),  # this dead letter is a replay that failed again
            "replayed": replay,
        }


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


def short_reason(reason: str, width: int = 100) -> str:
    """One line: whitespace collapsed (pydantic's errors span lines), cut at `width` with an ellipsis."""
    line = re.sub(r"\s+", " ", reason).strip()
    return line if len(line) <= width else line[: width - 1] + "…"


def replay_topic(topics: Topics) -> str:
    return f"{topics.dead_letter}-replays"


async def dead_letters(settings: ServiceSettings) -> list[DeadLetter]:
    topic = Topics(settings.topic_prefix).dead_letter
    batches = read_from_start(settings.kafka_bootstrap_servers, topic, **kafka_security_options(settings))
    return [DeadLetter.of(record) async for batch in batches for record in batch]


async def replay_record(settings: ServiceSettings) -> dict[str, dict]:
    """Dead letter key (address@timestamp) -> where its replay was published, from the replay record topic."""
    topic = replay_topic(Topics(settings.topic_prefix))
    record: dict[str, dict] = {}
    async for batch in read_from_start(settings.kafka_bootstrap_servers, topic, **kafka_security_options(settings)):
        for message in batch:
            record[message.key.decode()] = json.loads(message.value)
    return record


async def list_dead_letters(settings: ServiceSettings) -> list[dict]:
    """Every dead letter, oldest first per partition, with its replay if it has been replayed."""
    replays = await replay_record(settings)
    letters = sorted(await dead_letters(settings), key=lambda letter: (letter.timestamp_ms, letter.address))
    return [letter.describe(replays.get(letter.record_key)) for letter in letters]


class UnknownDeadLetter(ValueError):
    pass


def select(letters: list[DeadLetter], addresses: list[str]) -> list[DeadLetter]:
    """The dead letters at `partition:offset` addresses; a bare offset will do where one partition has it."""
    chosen = []
    for address in addresses:
        if ":" in address:
            matches = [letter for letter in letters if letter.address == address]
        else:
            matches = [letter for letter in letters if str(letter.offset) == address]
        if len(matches) != 1:
            candidates = ", ".join(letter.address for letter in matches)
            raise UnknownDeadLetter(
                f"offset {address} is in several partitions ({candidates}): say which, as partition:offset"
                if matches else f"no dead letter at {address}")
        chosen += matches
    return chosen


@dataclass
class Replay:
    """What a replay did (or, dry, would do)."""

    replayed: list[tuple[DeadLetter, dict]] = field(default_factory=list)  # dead letter, where it went
    skipped: list[tuple[DeadLetter, str]] = field(default_factory=list)  # dead letter, why


async def replay(settings: ServiceSettings, addresses: list[str] | None, *, dry_run: bool = False) -> Replay:
    """Replays the dead letters at these addresses, or (None) every one not replayed yet; see the module's doc."""
    replays = await replay_record(settings)
    letters = await dead_letters(settings)
    outcome = Replay()
    if addresses is None:
        chosen = []
        for letter in letters:
            if letter.record_key in replays:
                outcome.skipped.append((letter, "replayed before"))
            elif letter.header(REPLAYED_FROM):
                outcome.skipped.append((letter, f"failed again after its replay from {letter.header(REPLAYED_FROM)}"))
            else:
                chosen.append(letter)
    else:
        chosen = select(letters, addresses)
    for letter in [letter for letter in chosen if not letter.source_topic]:
        outcome.skipped.append((letter, "no dlq-source-topic header"))
    by_source: dict[tuple, list[DeadLetter]] = {}  # one replay per source record, whichever groups failed it
    for letter in chosen:
        if letter.source_topic:
            by_source.setdefault(letter.source, []).append(letter)
    if dry_run:
        outcome.replayed = [(letter, {"topic": letter.source_topic}) for same in by_source.values() for letter in same]
        return outcome
    if by_source:
        outcome.replayed = await publish_replays(settings, list(by_source.values()))
    return outcome


async def publish_replays(settings: ServiceSettings,
                          sources: list[list[DeadLetter]]) -> list[tuple[DeadLetter, dict]]:
    """Publishes each source record once (from its first dead letter) and records all its dead letters."""
    topics, security = Topics(settings.topic_prefix), kafka_security_options(settings)
    await ensure_replay_topic(settings.kafka_bootstrap_servers, replay_topic(topics), **security)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all",
                                enable_idempotence=True, **security)
    await producer.start()
    done = []
    try:
        for letters in sources:
            letter = letters[0]
            headers = [(k, v) for k, v in letter.original_headers if k != REPLAYED_FROM]
            sent = await producer.send_and_wait(letter.source_topic, letter.value, key=letter.key,
                                                headers=[*headers, (REPLAYED_FROM, letter.address.encode())],
                                                timestamp_ms=letter.source_timestamp_ms)
            target = {"topic": sent.topic, "partition": sent.partition, "offset": sent.offset,
                      "replayed_at": datetime.now(UTC).isoformat()}
            # Only once the replay is acknowledged: a crash in between means one harmless replay more.
            for same in letters:
                await producer.send_and_wait(replay_topic(topics), json.dumps(target).encode(),
                                             key=same.record_key.encode())
                done.append((same, target))
    finally:
        await producer.stop()
    return done


async def ensure_replay_topic(bootstrap: str, name: str, **security) -> None:
    """One partition, compacted: one small record per replayed dead letter, kept as long as needed."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **security)
    await admin.start()
    try:
        if name not in set(await admin.list_topics()):
            try:
                await admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1,
                                                    topic_configs={"cleanup.policy": "compact"})])
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
