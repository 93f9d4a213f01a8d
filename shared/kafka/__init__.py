"""Kafka plumbing: the broker, the consumer (parse, apply, retry, dead-letter), dead letters, reading a topic."""
