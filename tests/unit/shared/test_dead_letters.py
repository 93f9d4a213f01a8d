"""Reading dead letters: their addresses, headers, events and reasons, and choosing which to replay."""

import pytest

from shared.dead_letters import DeadLetter, UnknownDeadLetter, carried_headers, select, short_reason


def letter(partition=0, offset=0, value=b'{"id": "e1", "type": "progress-reported"}', **headers) -> DeadLetter:
    original = [("content-type", b"application/cloudevents+json"), ("dlq-replayed-from", b"2:3")]
    dlq = [("dlq-reason", b"contract violation (X): 1 validation error\nid\n  Field required"),
           ("dlq-source-topic", b"p.progress-reported"), ("dlq-source-partition", b"4"),
           ("dlq-source-offset", b"17"), ("dlq-source-timestamp", b"1790000000000"),
           ("dlq-consumer-group", b"p-tracker"), ("dlq-failed-at", b"2026-10-01T09:00:00+00:00")]
    extra = [(name.replace("_", "-"), value.encode()) for name, value in headers.items()]
    return DeadLetter("p.dead-letter", partition, offset, 1_000, b"k", value, tuple(original + dlq + extra))


def test_a_dead_letter_is_described_with_its_source_event_and_replay():
    described = letter(partition=3, offset=9).describe({"topic": "p.progress-reported", "partition": 4, "offset": 30})
    assert described == {
        "address": "3:9", "source_topic": "p.progress-reported", "source_partition": 4, "source_offset": 17,
        "consumer_group": "p-tracker", "failed_at": "2026-10-01T09:00:00+00:00",
        "reason": "contract violation (X): 1 validation error\nid\n  Field required", "event_id": "e1",
        "event_type": "progress-reported", "key": "k", "replay_of": "2:3",
        "replayed": {"topic": "p.progress-reported", "partition": 4, "offset": 30}}


def test_a_payload_that_is_not_a_json_object_has_no_event():
    for value in (b"not json", b"[1, 2]", b'"text"', b""):
        assert (letter(value=value).describe(None)["event_id"], letter(value=value).event) == (None, {})


def test_the_original_headers_are_those_without_dlq_prefix_and_the_last_value_of_a_header_counts():
    assert letter().original_headers == [("content-type", b"application/cloudevents+json")]
    assert letter(dlq_reason="later").reason == "later"


def test_the_record_key_tells_a_recreated_topic_apart():
    assert letter(partition=1, offset=2).record_key == "1:2@1000"


def test_a_reason_is_one_line_cut_with_an_ellipsis():
    assert short_reason("a\n  b\tc") == "a b c"
    assert short_reason("x" * 150, width=20) == "x" * 19 + "…"


def test_addresses_select_dead_letters_and_a_bare_offset_must_be_unambiguous():
    letters = [letter(0, 5), letter(1, 5), letter(1, 6)]
    assert [d.address for d in select(letters, ["1:5", "6"])] == ["1:5", "1:6"]
    with pytest.raises(UnknownDeadLetter, match="several partitions"):
        select(letters, ["5"])
    with pytest.raises(UnknownDeadLetter, match="no dead letter at 2:5"):
        select(letters, ["2:5"])


def test_headers_that_are_not_utf8_travel_base64_encoded_and_a_replay_gets_their_bytes_back():
    original = [("content-type", b"application/cloudevents+json"), ("traceparent", b"00-ab"),
                ("binary-trace", b"\xff\x00\xfe"), ("ce_id", b"\xe4\xb8\xad")]
    carried = carried_headers(original)
    assert carried["content-type"] == "application/cloudevents+json" and carried["ce_id"] == "中"
    assert carried["binary-trace"] == "/wD+" and carried["dlq-base64-headers"] == '["binary-trace"]'
    # As the dead letter arrives: FastStream encodes each text value, the dlq-* headers added.
    published = tuple((name, value.encode()) for name, value in {**carried, "dlq-reason": "x"}.items())
    dead_letter = DeadLetter("p.dead-letter", 0, 0, 1_000, None, b"{}", published)
    assert dead_letter.original_headers == original
    assert "dlq-base64-headers" not in carried_headers([("a", b"text")])


def test_null_header_values_travel_empty_and_a_replay_gets_its_null_back():
    original = [("content-type", b"application/cloudevents+json"), ("traceparent", None), ("empty", b"")]
    carried = carried_headers(original)
    assert (carried["traceparent"], carried["empty"], carried["dlq-null-headers"]) == ("", "", '["traceparent"]')
    published = tuple((name, value.encode()) for name, value in {**carried, "dlq-reason": "x"}.items())
    assert DeadLetter("p.dead-letter", 0, 0, 1_000, None, b"{}", published).original_headers == original


def test_a_replay_keeps_the_source_record_timestamp_and_a_binary_event_is_named_from_its_headers():
    assert letter().source_timestamp_ms == 1_790_000_000_000
    attributes = (("ce_specversion", b"1.0"), ("ce_id", b"e9"), ("ce_type", b"progress-reported"))
    binary = DeadLetter("p.dead-letter", 0, 0, 1_000, None, b'{"measure_id": "m1"}', attributes)
    assert (binary.describe(None)["event_id"], binary.describe(None)["event_type"]) == ("e9", "progress-reported")
