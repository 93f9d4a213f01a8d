"""`duban dlq replay`: dead letters (shared/kafka/dead_letters.py) published again to the topic they failed on.

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

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.contracts import Topics
from shared.kafka.broker import kafka_security_options
from shared.kafka.dead_letters import REPLAYED_FROM, DeadLetter, dead_letters
from shared.kafka.topic_reading import read_from_start
from shared.settings import ServiceSettings


def record_key(letter: DeadLetter) -> str:
    """Its key in the replay record: the address, and the timestamp that tells a recreated topic apart."""
    return f"{letter.address}@{letter.timestamp_ms}"


def replay_topic(topics: Topics) -> str:
    return f"{topics.dead_letter}-replays"


async def replay_record(settings: ServiceSettings) -> dict[str, dict]:
    """Dead letter key (address@timestamp) -> where its replay was published, from the replay record topic."""
    topic = replay_topic(Topics(settings.topic_prefix))
    record: dict[str, dict] = {}
    async for batch in read_from_start(settings.kafka_bootstrap_servers, topic, **kafka_security_options(settings)):
        for message in batch:
            record[message.key.decode()] = json.loads(message.value)
    return record


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
            if record_key(letter) in replays:
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
                                             key=record_key(same).encode())
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
