"""Records as other teams' producers send them, on every topic the tracker and alerts consume, against the real
broker and database: each consumer group applies or dead-letters every record, and never commits past one it
did neither. Then the Kafka cases of shared/samples/cases (kafka_cases.py), each giving its right value."""

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.alerts.main import create_app as create_alerts
from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from shared.contracts import Measure, MeasureCreated, ProgressReport, ProgressReported, RegistryPublished
from shared.kafka.consuming import Consumer
from shared.kafka.dead_letters import DeadLetter, dead_letters
from shared.kafka.topic_reading import partitions_of
from shared.settings import ServiceSettings
from tests.integration.tracker.test_tracker import MEASURE
from tests.support.apps import alerts_settings, running
from tests.support.waiting import eventually

STRUCTURED = ("content-type", b"application/cloudevents+json; charset=UTF-8")
HEADER_BYTES = 20_000  # 40 headers of this size: 800 KB, within Kafka's 1 MB default record limit
Source = tuple[str, int, int]  # topic, partition, offset


@dataclass
class Record:
    kind: str
    value: bytes | None
    headers: list[tuple[str, bytes | None]]
    key: bytes | None
    applies: bool  # a valid event, however sent: applied; otherwise dead-lettered
    event_id: str | None = None
    source: Source | None = None
    timestamp_ms: int | None = None


def structured(envelope: dict) -> bytes:
    return json.dumps(envelope, ensure_ascii=False).encode()


def hostile_mix(valid: Callable[[], dict], key: bytes, reply_topic: str) -> list[Record]:
    """Every kind of record a producer may send, as envelopes made by `valid` (a fresh event each call)."""
    def event(kind: str, change: Callable[[dict], dict] = lambda e: e, headers=(STRUCTURED,), record_key=key):
        envelope = change(valid())
        return Record(kind, structured(envelope), list(headers), record_key, True, envelope["id"])

    def binary(envelope: dict) -> Record:
        attributes = [(f"ce_{name}", str(value).encode()) for name, value in envelope.items()
                      if name not in ("data", "datacontenttype") and value is not None]
        return Record("binary content mode", structured(envelope["data"]),
                      [*attributes, ("content-type", b"application/json"), ("ce_traceparent", b"00-ab-cd-01")],
                      key, True, envelope.get("id"))

    def refused(kind: str, value: bytes | None, headers=(STRUCTURED,)) -> Record:
        return Record(kind, value, list(headers), key, False)

    return [
        event("plain"),
        event("null header value", headers=[STRUCTURED, ("traceparent", None)]),
        event("charset parameter", lambda e: {**e, "datacontenttype": "application/json; charset=utf-8"}),
        event("a +json datacontenttype", lambda e: {**e, "datacontenttype": "application/vnd.district+json"}),
        event("absent time", lambda e: {k: v for k, v in e.items() if k != "time"}),
        binary(valid()),
        event("non-UTF-8 header", headers=[STRUCTURED, ("binary-trace", b"\xff\x00\xfe")]),
        event("many large headers", headers=[STRUCTURED, *((f"x-large-{n}", b"x" * HEADER_BYTES) for n in range(40))]),
        event("no key", record_key=None),
        event("a reply_to header", headers=[STRUCTURED, ("reply_to", reply_topic.encode())]),
        refused("garbage bytes", b"\x00\x9c\xff garbage \xfe"),
        refused("empty value", b""),
        refused("invalid UTF-8 in the value", structured(valid()).replace(b'"/test"', b'"/te\xffst"')),
        refused("a JSON array", b"[" + structured(valid()) + b"]"),
        refused("huge nesting", b'{"data":' * 50_000 + b"1" + b"}" * 50_000),
        refused("a valid envelope with wrong data", structured({**valid(), "data": {"percent": "eighty"}})),
        refused("a non-JSON datacontenttype", structured({**valid(), "datacontenttype": "text/plain"})),
        refused("binary mode without ce_id", structured((no_id := valid())["data"]),
                [h for h in binary(no_id).headers if h[0] != "ce_id"]),
        refused("large non-UTF-8 headers on garbage", b"garbage",
                [*((f"x-binary-{n}", b"\xff" * (HEADER_BYTES + 1_000)) for n in range(40))]),
    ]


def report_envelope(measure_id: str) -> Callable[[], dict]:
    return lambda: ProgressReported.wrap(ProgressReport(
        measure_id=measure_id, unit="临川区政府", region_code="361002", period="2026-Q3", percent_complete=30.0,
        status="in_progress", reported_at=datetime(2026, 10, 1, tzinfo=UTC)), source="/test").model_dump(mode="json")


def measure_envelope(numbers) -> Callable[[], dict]:
    return lambda: MeasureCreated.wrap(Measure(
        measure_id=f"hostile-{next(numbers)}", plan_id="hostile", region_code="361000", number=1, title="措施",
        lead_units=["市司法局"]), source="/test").model_dump(mode="json")


async def publish(bootstrap: str, topic: str, records: list[Record]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for record in records:
            sent = await producer.send_and_wait(topic, record.value, key=record.key, headers=record.headers)
            record.source, record.timestamp_ms = (sent.topic, sent.partition, sent.offset), sent.timestamp
    finally:
        await producer.stop()


class Accounts:
    """What each consumer group read as an event (the shared parse, spied on) and dead-lettered (the topic)."""

    def __init__(self, monkeypatch, settings: ServiceSettings):
        self.settings = settings
        self.read: dict[str, set[Source]] = defaultdict(set)
        real_parse = Consumer.parse

        async def parse(consumer: Consumer, records, contract):
            batch = await real_parse(consumer, records, contract)
            self.read[consumer.group] |= {(r.topic, r.partition, r.offset) for rs in batch.records.values() for r in rs}
            return batch

        monkeypatch.setattr(Consumer, "parse", parse)

    async def dead_lettered(self) -> dict[str, dict[Source, DeadLetter]]:
        by_group: dict[str, dict[Source, DeadLetter]] = defaultdict(dict)
        for letter in await dead_letters(self.settings):
            topic, partition, offset = letter.source
            by_group[letter.header("dlq-consumer-group")][(topic, int(partition), int(offset))] = letter
        return by_group

    async def none_committed_past_unaccounted(self, groups: dict[str, list[str]], published: dict[Source, Record],
                                              ends: dict[TopicPartition, int]) -> bool:
        """Whether every group (its topics) reached the `ends`; asserts that none committed past a `published`
        record it neither read as an event nor dead-lettered. Sampled while the groups consume: committed offsets
        first, then what is accounted for (a group applies or dead-letters before it commits), so a gap would show."""
        done = True
        for group, its_topics in groups.items():
            committed = await self.committed(group, its_topics)
            accounted = self.read[group] | set((await self.dead_lettered())[group])
            passed = {source for source in published if source[0] in its_topics
                      and source[2] < committed.get(TopicPartition(source[0], source[1]), 0)}
            assert passed <= accounted, f"{group} committed past {[published[s].kind for s in passed - accounted]}"
            done &= all(committed.get(tp, 0) == end for tp, end in ends.items() if tp.topic in its_topics)
        return done

    async def committed(self, group: str, topics: list[str]) -> dict[TopicPartition, int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(group)
        finally:
            await admin.close()
        return {tp: meta.offset for tp, meta in offsets.items() if tp.topic in topics}


async def end_offsets(bootstrap: str, topics: list[str]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in await partitions_of(bootstrap, t)]
        return {tp: offset for tp, offset in (await consumer.end_offsets(partitions)).items() if offset}
    finally:
        await consumer.stop()


async def test_every_group_applies_or_dead_letters_every_hostile_record_and_commits_past_none_unaccounted(
    settings_values, topics, database, monkeypatch
):
    """Applied means read as an event and, for the tracker, found in its state (every report and measure; the
    registry keeps only the newest); alerts commits only after judging a batch, so for alerts an event read in a
    batch it committed was judged. Dead-lettered means a dead letter naming the group and the source offset."""
    settings = ServiceSettings(**settings_values)
    bootstrap = settings.kafka_bootstrap_servers
    accounts = Accounts(monkeypatch, settings)
    tracker_group, alerts_group = settings_values["consumer_group"], f"{settings_values['topic_prefix']}alerts"
    reply_topic = f"{settings_values['topic_prefix']}replies"
    numbers = iter(range(1_000))
    registry = load_registry(DEMO_REGISTRY)
    mixes = {
        topics.registry_published: hostile_mix(
            lambda: RegistryPublished.wrap(registry, source="/test").model_dump(mode="json"), b"registry", reply_topic),
        topics.measure_created: hostile_mix(measure_envelope(numbers), b"hostile", reply_topic),
        topics.progress_reported: hostile_mix(report_envelope("hostile-0"), "hostile-0|临川区政府".encode(),
                                               reply_topic),
    }
    groups = {tracker_group: list(mixes), alerts_group: [topics.registry_published, topics.measure_created]}
    tracker = create_tracker(TrackerSettings(**settings_values, retry_backoff_seconds=0.05))
    alerts = create_alerts(alerts_settings(settings_values))
    async with running(tracker), running(alerts):
        for topic in mixes:  # measures before the reports on them, so no report waits for its measure
            await publish(bootstrap, topic, mixes[topic])
        published = {record.source: record for mix in mixes.values() for record in mix}
        ends = await end_offsets(bootstrap, list(mixes))

        await eventually(partial(accounts.none_committed_past_unaccounted, groups, published, ends), timeout=90,
                         interval=0.5)

    dead = await accounts.dead_lettered()
    for group, its_topics in groups.items():
        records = [record for record in published.values() if record.source[0] in its_topics]
        applied = {record.source for record in records if record.source in accounts.read[group]}
        dead_lettered = {record.source for record in records if record.source in dead[group]}
        both = [(published[s].kind, s) for s in applied & dead_lettered]
        neither = [(r.kind, r.source) for r in records if r.source not in applied | dead_lettered]
        assert not both and not neither, f"{group}: applied and dead-lettered {both}, neither {neither}"
        assert len(applied) + len(dead_lettered) == len(records)
        wrong = [(r.source[0], r.kind) for r in records if (r.source in applied) != r.applies]
        assert not wrong, f"{group} misjudged {wrong}"
        for source in dead_lettered:
            letter = dead[group][source]
            assert letter.reason.startswith(("contract violation", "unreadable record")), letter.reason
            if published[source].kind == "large non-UTF-8 headers on garbage":  # its base64 would pass 1 MB
                assert letter.header("dlq-dropped") == "the original headers (too large to carry)"
            else:
                assert letter.original_headers == published[source].headers and letter.value == (
                    published[source].value or b"")

    # The tracker's state holds every applied report and measure; an absent time is the record's timestamp.
    reports = {d["event_id"] async for d in database["progress_reports"].find()}
    measures = {d["event_id"]: d async for d in database["measures"].find()}
    for record in mixes[topics.progress_reported]:
        assert (record.event_id in reports) == record.applies, record.kind
    for record in mixes[topics.measure_created]:
        assert (record.event_id in measures) == record.applies, record.kind
    [timeless] = [r for r in mixes[topics.measure_created] if r.kind == "absent time"]
    assert measures[timeless.event_id]["published_at"] == datetime.fromtimestamp(timeless.timestamp_ms / 1000, UTC)
    assert (await database["registry"].find_one({"_id": "current"}))["event_id"] in {
        r.event_id for r in mixes[topics.registry_published] if r.applies}
    assert await partitions_of(bootstrap, reply_topic) == []  # FastStream never acted on the reply_to header


# The cases of shared/samples/cases/kafka_cases.py, as that script publishes them, with their right values.
UNIT_ID = "361002.government"
NOW = datetime.now(UTC).replace(microsecond=0)


def case_report(percent: float, narrative: str, reported_at: datetime = NOW) -> dict:
    return {"measure_id": MEASURE.measure_id, "unit": "临川区政府", "region_code": "361002", "period": "2026-Q4",
            "percent_complete": percent, "status": "in_progress", "reported_at": reported_at.isoformat(),
            "narrative": narrative, "indicator_values": {}, "evidence": []}


def case_envelope(data: dict, **extra) -> dict:
    return {**ProgressReported.wrap(ProgressReport(**data), source="/external/linchuan-zwfw",
                                    subject=MEASURE.measure_id).model_dump(mode="json", exclude={"data"}),
            "data": data, **extra}


@pytest.fixture
async def tracker_with_measure(settings_values, topics):
    bootstrap = settings_values["kafka_bootstrap_servers"]
    async with running(create_tracker(TrackerSettings(**settings_values, retry_backoff_seconds=0.05))) as client:
        registry = RegistryPublished.wrap(load_registry(DEMO_REGISTRY), source="/test").model_dump(mode="json")
        measure = MeasureCreated.wrap(MEASURE, source="/test").model_dump(mode="json")
        await publish(bootstrap, topics.registry_published,
                      [Record("registry", structured(registry), [STRUCTURED], b"registry", True)])
        await publish(bootstrap, topics.measure_created,
                      [Record("measure", structured(measure), [STRUCTURED], b"m", True)])

        async def assigned():
            state = (await client.get(f"/v1/measures/{MEASURE.measure_id}")).json()
            return any(a["unit"] == UNIT_ID for a in state.get("assignments", []))

        await eventually(assigned)
        yield client


async def history(client, event_ids: list[str]) -> dict[str, list[dict]]:
    """The unit's reports with these event ids, once each has arrived."""
    async def arrived():
        reports = (await client.get(f"/v1/measures/{MEASURE.measure_id}/units/{UNIT_ID}/reports")).json()
        found = defaultdict(list)
        for report in reports:
            found[report["event_id"]].append(report)
        return found if set(event_ids) <= set(found) else None

    arrived.__name__ = f"reports_{'_'.join(event_ids)}"
    return await eventually(arrived)


async def send_case(settings_values, topics, *records: Record) -> None:
    await publish(settings_values["kafka_bootstrap_servers"], topics.progress_reported, list(records))


KEY = f"{MEASURE.measure_id}|临川区政府".encode()


async def test_case_null_header_applies_the_report_and_the_one_behind_it(tracker_with_measure, settings_values, topics):
    first = case_envelope(case_report(41, "null-header case: first"))
    second = case_envelope(case_report(42, "null-header case: second, plain headers"))
    await send_case(settings_values, topics,
                    Record("null", structured(first), [("content-type", b"application/cloudevents+json"),
                                                       ("traceparent", None)], KEY, True),
                    Record("plain", structured(second), [("content-type", b"application/cloudevents+json")], KEY, True))
    found = await history(tracker_with_measure, [first["id"], second["id"]])
    assert [found[first["id"]][0]["percent_complete"], found[second["id"]][0]["percent_complete"]] == [41, 42]


async def test_case_charset_is_read_as_json(tracker_with_measure, settings_values, topics):
    event = case_envelope(case_report(44, "charset case"), datacontenttype="application/json; charset=utf-8")
    await send_case(settings_values, topics, Record("charset", structured(event), [STRUCTURED], KEY, True))
    found = await history(tracker_with_measure, [event["id"]])
    assert (found[event["id"]][0]["percent_complete"], found[event["id"]][0]["narrative"]) == (44, "charset case")


async def test_case_binary_content_mode_is_applied(tracker_with_measure, settings_values, topics):
    event_id = "binary-case-1"
    headers = [("ce_specversion", b"1.0"), ("ce_id", event_id.encode()), ("ce_source", b"/external/linchuan-zwfw"),
               ("ce_type", b"progress-reported"), ("ce_time", NOW.isoformat().encode()),
               ("content-type", b"application/json")]
    await send_case(settings_values, topics,
                    Record("binary", structured(case_report(43, "binary mode case")), headers, KEY, True))
    found = await history(tracker_with_measure, [event_id])
    assert (found[event_id][0]["percent_complete"], found[event_id][0]["narrative"]) == (43, "binary mode case")


async def test_case_duplicate_keeps_each_report_once_and_the_newer_current(
    tracker_with_measure, settings_values, topics
):
    newer = case_envelope(case_report(46, "duplicate case: newer"))
    older = case_envelope(case_report(45, "duplicate case: older", datetime(2026, 11, 1, tzinfo=UTC)))
    await send_case(settings_values, topics, *(Record("dup", structured(e), [STRUCTURED], KEY, True)
                                               for e in (newer, newer, older, newer)))
    found = await history(tracker_with_measure, [newer["id"], older["id"]])
    assert (len(found[newer["id"]]), len(found[older["id"]])) == (1, 1)
    state = (await tracker_with_measure.get(f"/v1/measures/{MEASURE.measure_id}")).json()
    current = [a for a in state["assignments"] if a["unit"] == UNIT_ID]
    assert [(a["period"], a["percent_complete"], a["narrative"]) for a in current] == [
        ("2026-Q4", 46, "duplicate case: newer")]
