"""Kafka plumbing: the broker, the topics, publishing CloudEvents and dead letters."""

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, MessageSizeTooLargeError, TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLScram512

from shared.contracts import CloudEvent, Topics
from shared.contracts.topics import PARTITIONS
from shared.settings import ServiceSettings

CLOUDEVENTS_JSON = "application/cloudevents+json; charset=UTF-8"

log = structlog.get_logger()


def kafka_security(settings: ServiceSettings) -> BaseSecurity | None:
    """SCRAM-SHA-512 when credentials are set (SASL_PLAINTEXT, or SASL_SSL with kafka_ssl), else TLS or nothing."""
    context = ssl.create_default_context() if settings.kafka_ssl else None
    if settings.kafka_sasl_username is None:
        return BaseSecurity(ssl_context=context) if context else None
    password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else ""
    return SASLScram512(settings.kafka_sasl_username, password, ssl_context=context)


def kafka_security_options(settings: ServiceSettings) -> dict[str, Any]:
    """The security options of an aiokafka client (security_protocol, sasl_*, ssl_context); none for plain Kafka."""
    return parse_security(kafka_security(settings))


def kafka_client_options(settings: ServiceSettings) -> dict[str, Any]:
    """The bootstrap servers and security options of an aiokafka client (producer, consumer, admin)."""
    return {"bootstrap_servers": settings.kafka_bootstrap_servers, **kafka_security_options(settings)}


def create_broker(settings: ServiceSettings, client_id: str) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        security=kafka_security(settings),
        client_id=client_id,
        request_timeout_ms=int(settings.publish_timeout_seconds * 1000),
        acks="all",
        enable_idempotence=True,
        logger=structlog.get_logger("faststream"),
    )


async def ensure_topics(settings: ServiceSettings) -> None:
    """Topics are declared, not auto-created, so they get the partition count the keys rely on."""
    admin = AIOKafkaAdminClient(**kafka_client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)
            for name in Topics(settings.topic_prefix).all()
            if name not in existing
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another service created them in between
    finally:
        await admin.close()


async def connect_when_reachable(
    broker: KafkaBroker, settings: ServiceSettings, *, start_subscribers: bool, retry_seconds: float = 2.0
) -> None:
    """Waits for Kafka without giving up: a service outlives a broker restart or a late start."""
    while True:
        try:
            await ensure_topics(settings)
            await (broker.start() if start_subscribers else broker.connect())
            log.info("kafka_connected", bootstrap_servers=settings.kafka_bootstrap_servers)
            return
        except (KafkaError, OSError) as error:
            log.warning("kafka_unreachable", error=repr(error), retry_in_seconds=retry_seconds)
            await asyncio.sleep(retry_seconds)


@asynccontextmanager
async def connecting_in_background(
    broker: KafkaBroker, settings: ServiceSettings, *, start_subscribers: bool, first: Awaitable[None] | None = None
) -> AsyncIterator[asyncio.Task]:
    """Connects to Kafka (connect_when_reachable) in a task while the body runs, so a service listens, answers
    /livez and /readyz (503 until connected) and stops on SIGTERM at once while Kafka is away; on leaving, the
    connecting is cancelled and the broker stopped. `first` is awaited in that task before connecting (what the
    subscribers need in place, such as the database's indexes: shared/database.when_reachable)."""

    async def connect() -> None:
        try:
            if first is not None:
                await first
            await connect_when_reachable(broker, settings, start_subscribers=start_subscribers)
        except Exception:  # nobody awaits this task before the stop: say now why the service will never be ready
            log.exception("service_start_failed")
            raise

    task = asyncio.create_task(connect())
    try:
        yield task
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await broker.stop()


def connected(connecting: asyncio.Task) -> bool:
    """Whether connecting_in_background's task got through (its broker started)."""
    return connecting.done() and not connecting.cancelled() and connecting.exception() is None


async def stop_consuming(broker: KafkaBroker) -> None:
    """Stops every subscriber, each after the batch in hand (up to FastStream's graceful timeout, 15 s), and keeps
    the producer: a service can then publish what its last batches left owed before the broker stops."""
    await asyncio.gather(*(subscriber.stop() for subscriber in broker.subscribers))


async def publish_event(broker: KafkaBroker, topic: str, event: CloudEvent, key: str) -> None:
    await broker.publish(
        event.model_dump_json().encode(),
        topic,
        key=key.encode(),
        headers={"content-type": CLOUDEVENTS_JSON},
    )


async def publish_dead_letter(
    broker: KafkaBroker,
    topics: Topics,
    *,
    body: bytes,
    key: bytes | None,
    headers: dict[str, str],
    reason: str,
    source: ConsumerRecord,
    consumer_group: str,
) -> None:
    """The original payload and headers, plus why, where and in which consumer group it failed, so an operator can
    replay it (shared/kafka/dead_letters.py reads these headers back).

    A record near Kafka's size limit can make its dead letter too large (the dlq-* headers, base64 for headers
    that are not UTF-8): then it goes without the original headers, and if that is still too large without
    the value too, saying so in `dlq-dropped`; the original stays in its topic at the source offset (until
    retention), and a dead letter that could not be published would stop the partition for good.
    """
    dead_letter = {
        "dlq-reason": reason[:2000],
        "dlq-consumer-group": consumer_group,
        "dlq-source-topic": source.topic,
        "dlq-source-partition": str(source.partition),
        "dlq-source-offset": str(source.offset),
        "dlq-source-timestamp": str(source.timestamp),
        "dlq-failed-at": datetime.now(UTC).isoformat(),
    }
    attempts = [(body, {**headers, **dead_letter}),
                (body, {**dead_letter, "dlq-dropped": "the original headers (too large to carry)"}),
                (b"", {**dead_letter, "dlq-dropped": "the original headers and value (too large to carry)"})]
    for attempt, (value, carried) in enumerate(attempts, start=1):
        try:
            await broker.publish(value, topics.dead_letter, key=key, headers=carried)
            break
        except MessageSizeTooLargeError:
            if attempt == len(attempts):
                raise
    log.warning("dead_lettered", reason=reason[:500], source_topic=source.topic, partition=source.partition,
                offset=source.offset, consumer_group=consumer_group, dropped=carried.get("dlq-dropped"))
