"""Reading a Kafka record into an event or a refusal with its reason: both content modes, hostile records."""

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord
from pydantic import model_validator

from shared.contracts import MeasureCreated, ProgressReported, Topics
from shared.kafka.consuming import Consumer, Refused, RetryPolicy, event_of, headerless
from tests.support.samples import REPORT

TIMESTAMP_MS = 1_793_000_000_000  # 2026-10-26T05:33:20Z
STRUCTURED = ("content-type", b"application/cloudevents+json")


def record(value: bytes | None, headers=(STRUCTURED,), key: bytes | None = b"k", timestamp: int = TIMESTAMP_MS):
    return ConsumerRecord("p.progress-reported", 2, 40, timestamp, 0, key, value, None, 0, 0, list(headers))


def envelope(**attributes) -> dict:
    return {"specversion": "1.0", "id": "e1", "source": "/external/linchuan-zwfw", "type": "progress-reported",
            "time": "2026-10-08T09:30:00+08:00", "data": REPORT, **attributes}


def structured(**attributes) -> bytes:
    return json.dumps(envelope(**attributes), ensure_ascii=False).encode()


def binary_headers(**extra: bytes) -> list[tuple[str, bytes | None]]:
    return [("ce_specversion", b"1.0"), ("ce_id", b"e2"), ("ce_source", b"/external/linchuan-zwfw"),
            ("ce_type", b"progress-reported"), ("content-type", b"application/json"),
            *((f"ce_{name}", value) for name, value in extra.items())]


def test_a_null_header_value_is_read_as_absent():
    event = event_of(record(structured(), [STRUCTURED, ("traceparent", None), ("content-type", None)]),
                     ProgressReported)
    assert (event.id, event.data.percent_complete) == ("e1", 80)


@pytest.mark.parametrize("content_type", [b"application/cloudevents+json; charset=UTF-8", b"", None])
def test_a_structured_envelope_with_a_charset_parameter_or_no_content_type_is_read(content_type):
    value = structured(datacontenttype="application/json; charset=utf-8")
    event = event_of(record(value, [("content-type", content_type)]), ProgressReported)
    assert event.datacontenttype == "application/json; charset=utf-8"


def test_binary_content_mode_takes_the_attributes_from_ce_headers_and_the_value_as_data():
    headers = binary_headers(time=b"2026-10-08T01:30:00Z", subject=b"fuzhou-2022-17",
                             traceparent=b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    event = event_of(record(json.dumps(REPORT).encode(), headers), ProgressReported)
    assert (event.id, event.source, event.subject, event.datacontenttype) == (
        "e2", "/external/linchuan-zwfw", "fuzhou-2022-17", "application/json")
    assert event.time == datetime(2026, 10, 8, 1, 30, tzinfo=UTC) and event.data.unit == "临川区政府"
    assert event.model_extra == {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


def test_an_absent_time_is_the_record_timestamp_in_both_modes():
    for value, headers in ((structured(time=None), [STRUCTURED]), (json.dumps(REPORT).encode(), binary_headers())):
        first, again = (event_of(record(value, headers), ProgressReported) for _ in "ab")
        assert first.time == datetime.fromtimestamp(TIMESTAMP_MS / 1000, UTC) and first == again


def test_a_leading_byte_order_mark_is_dropped_in_both_modes():
    bom = b"\xef\xbb\xbf"
    assert event_of(record(bom + structured()), ProgressReported).id == "e1"
    assert event_of(record(bom + json.dumps(REPORT).encode(), binary_headers()), ProgressReported).id == "e2"


@pytest.mark.parametrize("charset", ["GBK", "gb18030", "utf-16", '"GB2312"'])
def test_binary_data_are_read_in_the_charset_the_content_type_names(charset):
    value = json.dumps({**REPORT, "narrative": "临川区已完成"}, ensure_ascii=False).encode(charset.strip('"'))
    headers = [*binary_headers()[:4], ("content-type", f"application/json; charset={charset}".encode())]
    event = event_of(record(value, headers), ProgressReported)
    assert (event.data.unit, event.data.narrative) == ("临川区政府", "临川区已完成")


def test_a_structured_event_with_data_base64_is_read_as_its_data():
    event_in_gbk = {key: value for key, value in envelope().items() if key != "data"} | {
        "datacontenttype": "application/json; charset=GBK",
        "data_base64": base64.b64encode(json.dumps(REPORT, ensure_ascii=False).encode("gbk")).decode()}
    event = event_of(record(json.dumps(event_in_gbk).encode()), ProgressReported)
    assert event.data.unit == "临川区政府" and event.data.percent_complete == 80


def test_a_structured_content_type_wins_over_ce_headers():
    headers = [("content-type", b"application/cloudevents+json"), ("ce_specversion", b"1.0")]
    assert event_of(record(structured(), headers), ProgressReported).id == "e1"


@pytest.mark.parametrize(("value", "headers", "reason"), [
    (b"\x00\xff\xfe garbage", [STRUCTURED], "not utf-8 text"),
    (structured().replace(b"linchuan", b"lin\xffchuan"), [STRUCTURED], "not utf-8 text"),
    (b"", [STRUCTURED], "EOF while parsing"),
    (None, [STRUCTURED], "EOF while parsing"),  # a tombstone
    (b"[" + structured() + b"]", [STRUCTURED], "Input should be an object"),
    (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, [STRUCTURED], "recursion limit exceeded"),
    (structured(data={**REPORT, "percent_complete": "80"}), [STRUCTURED], "percent_complete"),
    (structured(), [("content-type", b"application/cloudevents-batch+json")], "batches are not part"),
    (structured(), [("content-type", b"application/cloudevents+avro")], "only the JSON event format"),
    (structured(datacontenttype="text/plain"), [STRUCTURED], "not a JSON media type"),
    (json.dumps(REPORT).encode(), binary_headers()[1:], "Field required"),  # no ce_specversion: not binary
    (json.dumps(REPORT).encode(), [h for h in binary_headers() if h[0] != "ce_id"], "binary content mode"),
    (json.dumps(REPORT).encode(), binary_headers(subject=b"\xff\xfe"), "header ce_subject is not UTF-8"),
    (b"", binary_headers(), "the record's value is the data"),
    (json.dumps(REPORT).encode(), [*binary_headers()[:4], ("content-type", b"text/plain")], "not a JSON media"),
    (json.dumps(REPORT).encode(), [*binary_headers()[:4], ("content-type", b"application/json; charset=x-no")],
     "not a known character encoding"),
    ("临川".encode("gbk"), [*binary_headers()[:4], ("content-type", b"application/json; charset=utf-8")],
     "not utf-8 text"),
])
def test_a_record_that_is_not_an_event_of_the_contract_is_refused_with_the_reason(value, headers, reason):
    with pytest.raises(Refused, match=reason) as refused:
        event_of(record(value, headers), ProgressReported)
    assert str(refused.value).startswith("contract violation (ProgressReported")


def test_an_event_of_another_type_on_a_topic_is_refused_in_binary_mode_too():
    with pytest.raises(Refused, match="type"):
        event_of(record(json.dumps(REPORT).encode(), binary_headers()), MeasureCreated)


async def test_faststream_parses_the_records_without_headers_and_the_handler_gets_them_as_they_came():
    records = (record(structured(), [STRUCTURED, ("traceparent", None), ("binary", b"\xff"), ("reply_to", b"x")]),)
    seen = []

    async def parse(copies):
        seen.extend(copies)
        return type("Message", (), {})()

    message = await headerless(records, parse)
    assert [copy.headers for copy in seen] == [[]] and message.raw_message is records


@pytest.mark.parametrize("timestamp", [-1, 2**63 - 1])
def test_an_event_without_time_on_a_record_without_a_usable_timestamp_is_refused(timestamp):
    with pytest.raises(Refused, match="time"):
        event_of(record(structured(time=None), timestamp=timestamp), ProgressReported)
    assert event_of(record(structured(), timestamp=timestamp), ProgressReported).id == "e1"


class Publishing:
    """The broker as Consumer.dead_letter uses it: what it published, in order."""

    def __init__(self):
        self.published: list[tuple[bytes, str, dict]] = []

    async def publish(self, value: bytes, topic: str, *, key: bytes | None, headers: dict) -> None:
        self.published.append((value, topic, headers))


class Exploding(ProgressReported):
    """A contract whose parser breaks with something other than a validation error."""

    @model_validator(mode="after")
    def explode(self):
        raise RuntimeError("the parser broke")


async def test_the_shared_parse_dead_letters_every_refused_or_unreadable_record_naming_the_group():
    broker = Publishing()
    consumer = Consumer(broker, Topics("p."), "p-alerts")
    records = [record(structured()), record(b"garbage"), record(structured(id="e2"), [("traceparent", None)])]
    batch = await consumer.parse(records, ProgressReported)
    assert [event.id for event in batch.events] == ["e1", "e2"]
    [(value, topic, headers)] = broker.published
    assert (value, topic, headers["dlq-consumer-group"]) == (b"garbage", "p.dead-letter", "p-alerts")
    assert headers["dlq-source-offset"] == "40" and headers["dlq-source-timestamp"] == str(TIMESTAMP_MS)
    assert headers["dlq-reason"].startswith("contract violation (ProgressReported): 1 validation error")

    broker.published.clear()
    assert (await consumer.parse(records[:1], Exploding)).events == []
    assert broker.published[0][2]["dlq-reason"] == "unreadable record (RuntimeError): the parser broke"


async def test_an_event_that_cannot_be_applied_is_dead_lettered_from_every_record_it_came_in():
    broker = Publishing()
    consumer = Consumer(broker, Topics("p."), "p-tracker", RetryPolicy(attempts=1))
    redelivered = [record(structured()), replace(record(structured()), offset=41)]  # the same event twice

    async def apply(events):
        return {event.id: "no measure 'fuzhou-2022-17' has been created" for event in events}

    await consumer.apply_with_retries(await consumer.parse(redelivered, ProgressReported), apply)
    assert [headers["dlq-source-offset"] for _, _, headers in broker.published] == ["40", "41"]
    assert broker.published[0][2]["dlq-reason"].startswith("failed after 1 attempts: no measure")


async def test_an_event_its_admission_refuses_is_dead_lettered_at_once_with_the_admissions_reason():
    broker = Publishing()
    consumer = Consumer(broker, Topics("p."), "p-tracker",
                        admit=lambda event: "out of scope: not this one" if event.id == "e2" else None)
    batch = await consumer.parse([record(structured()), replace(record(structured(id="e2")), offset=41)],
                                 ProgressReported)
    assert [event.id for event in batch.events] == ["e1"] and list(batch.records) == ["e1"]
    [(_, topic, headers)] = broker.published
    assert (topic, headers["dlq-source-offset"], headers["dlq-reason"]) == (
        "p.dead-letter", "41", "out of scope: not this one")
