"""The dead-letter record format: a record's headers as a dead letter carries them, and read back."""

from shared.kafka.dead_letters import DeadLetter, carried_headers
from tests.support.dead_letters import letter


def test_the_original_headers_are_those_without_dlq_prefix_and_the_last_value_of_a_header_counts():
    assert letter().original_headers == [("content-type", b"application/cloudevents+json")]
    assert letter(dlq_reason="later").reason == "later"


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


def test_a_payload_that_is_not_a_json_object_has_no_event():
    for value in (b"not json", b"[1, 2]", b'"text"', b""):
        assert letter(value=value).event == {}


def test_a_replay_keeps_the_source_record_timestamp_and_a_binary_event_is_read_from_its_headers():
    assert letter().source_timestamp_ms == 1_790_000_000_000
    attributes = (("ce_specversion", b"1.0"), ("ce_id", b"e9"), ("ce_type", b"progress-reported"))
    binary = DeadLetter("p.dead-letter", 0, 0, 1_000, None, b'{"measure_id": "m1"}', attributes)
    assert binary.event == {"specversion": "1.0", "id": "e9", "type": "progress-reported"}
