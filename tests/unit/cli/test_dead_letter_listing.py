"""`duban dlq list`'s content: each dead letter described, its reason on one line."""

from cli.dead_letter_listing import describe, short_reason
from shared.kafka.dead_letters import DeadLetter
from tests.support.dead_letters import letter


def test_a_dead_letter_is_described_with_its_source_event_and_replay():
    described = describe(letter(partition=3, offset=9), {"topic": "p.progress-reported", "partition": 4, "offset": 30})
    assert described == {
        "address": "3:9", "source_topic": "p.progress-reported", "source_partition": 4, "source_offset": 17,
        "consumer_group": "p-tracker", "failed_at": "2026-10-01T09:00:00+00:00",
        "reason": "contract violation (X): 1 validation error\nid\n  Field required", "event_id": "e1",
        "event_type": "progress-reported", "key": "k", "replay_of": "2:3",
        "replayed": {"topic": "p.progress-reported", "partition": 4, "offset": 30}}


def test_a_payload_that_is_not_a_json_object_is_described_without_an_event():
    for value in (b"not json", b"[1, 2]", b'"text"', b""):
        assert (describe(letter(value=value), None)["event_id"], describe(letter(value=value), None)["event_type"]) == (
            None, None)


def test_a_binary_event_is_named_from_its_headers():
    attributes = (("ce_specversion", b"1.0"), ("ce_id", b"e9"), ("ce_type", b"progress-reported"))
    described = describe(DeadLetter("p.dead-letter", 0, 0, 1_000, None, b'{"measure_id": "m1"}', attributes), None)
    assert (described["event_id"], described["event_type"]) == ("e9", "progress-reported")


def test_a_reason_is_one_line_cut_with_an_ellipsis():
    assert short_reason("a\n  b\tc") == "a b c"
    assert short_reason("x" * 150, width=20) == "x" * 19 + "…"
