"""The local stack's Kafka with SASL (DUBAN_LOCAL_KAFKA_SASL): a SASL_PLAINTEXT listener whose SCRAM-SHA-512 users
are created when its storage is formatted; the services' broker (shared/broker.py) authenticates, anybody else is
refused. A Kafka of its own, in a temporary state directory, beside the session's plain one."""

import asyncio
import json

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

from deploy.local.install import install
from deploy.local.stack import LocalStack
from shared.broker import create_broker, ensure_topics, kafka_client_options, publish_event
from shared.contracts import Measure, MeasureCreated, Topics
from shared.settings import ServiceSettings


@pytest.fixture(scope="module")
def sasl_kafka(tmp_path_factory):
    stack = LocalStack(tmp_path_factory.mktemp("sasl"), default_ports=False, tie_to_parent=True, kafka_sasl=True)
    try:
        yield stack.start_kafka(install())
    finally:
        stack.stop()


async def refused(**options) -> str:
    """Why a producer with these options cannot send: it must fail, not hang."""
    producer = AIOKafkaProducer(**options, request_timeout_ms=3000, retry_backoff_ms=100)
    try:
        await asyncio.wait_for(producer.start(), 20)
        await asyncio.wait_for(producer.send_and_wait("anything", b"x"), 20)
    except (KafkaError, TimeoutError) as error:
        return repr(error)
    finally:
        await producer.stop()
    raise AssertionError(f"a producer with {options} was let in")


async def test_an_unauthenticated_or_wrongly_authenticated_client_is_refused(sasl_kafka):
    assert sasl_kafka.kafka_sasl_username == "duban" and sasl_kafka.kafka_sasl_password
    assert "Unable to bootstrap" in await refused(bootstrap_servers=sasl_kafka.kafka_bootstrap_servers)
    wrong = {**sasl_kafka.kafka_options(), "sasl_plain_password": "not-the-password"}
    assert "Unable to bootstrap" in await refused(**wrong)
    # The same client with the right password is let in.
    producer = AIOKafkaProducer(**sasl_kafka.kafka_options(), request_timeout_ms=3000)
    await producer.start()
    try:
        assert (await producer.send_and_wait("sasl.anything", b"x")).offset == 0
    finally:
        await producer.stop()


async def test_the_services_broker_authenticates_publishes_and_reads_back(sasl_kafka):
    settings = ServiceSettings(**{name.removeprefix("DUBAN_").lower(): value
                                  for name, value in sasl_kafka.environment(topic_prefix="sasl.").items()})
    assert settings.kafka_sasl_password.get_secret_value() == sasl_kafka.kafka_sasl_password
    await ensure_topics(settings)
    topic = Topics(settings.topic_prefix).measure_created
    event = MeasureCreated.wrap(Measure(measure_id="m-1", plan_id="p", region_code="361002", number=1,
                                        title="推行行政执法公示制度", lead_units=["区司法局"]), source="/test")
    broker = create_broker(settings, client_id="sasl-test")
    await broker.connect()
    try:
        await publish_event(broker, topic, event, "m-1")
    finally:
        await broker.stop()
    consumer = AIOKafkaConsumer(topic, **kafka_client_options(settings), group_id="sasl-test",
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=15_000)
    finally:
        await consumer.stop()
    [record] = [record for records in batches.values() for record in records]
    assert (record.key, json.loads(record.value)["id"]) == (b"m-1", event.id)
