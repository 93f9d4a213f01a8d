"""A dead letter as the dead-letter topic holds one, for the tests of its format, listing and replay."""

from shared.kafka.dead_letters import DeadLetter


def letter(partition=0, offset=0, value=b'{"id": "e1", "type": "progress-reported"}', **headers) -> DeadLetter:
    original = [("content-type", b"application/cloudevents+json"), ("dlq-replayed-from", b"2:3")]
    dlq = [("dlq-reason", b"contract violation (X): 1 validation error\nid\n  Field required"),
           ("dlq-source-topic", b"p.progress-reported"), ("dlq-source-partition", b"4"),
           ("dlq-source-offset", b"17"), ("dlq-source-timestamp", b"1790000000000"),
           ("dlq-consumer-group", b"p-tracker"), ("dlq-failed-at", b"2026-10-01T09:00:00+00:00")]
    extra = [(name.replace("_", "-"), value.encode()) for name, value in headers.items()]
    return DeadLetter("p.dead-letter", partition, offset, 1_000, b"k", value, tuple(original + dlq + extra))
