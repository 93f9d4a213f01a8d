"""The local stack's Kafka with SASL (DUBAN_LOCAL_KAFKA_SASL): a SASL_PLAINTEXT listener whose SCRAM-SHA-512 users
are created when its storage is formatted; the services' broker (shared/kafka/broker.py) authenticates, anybody else is
refused; a district's user with deploy/README.md's ACLs writes progress reports and reads alerts, nothing else.
A Kafka of its own, in a temporary state directory, beside the session's plain one. The users and ACLs are made with
kafka-python's admin client (aiokafka has no SCRAM or ACL admin API), as kafka-configs / kafka-acls would."""

import asyncio
import json
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    KafkaAdminClient,
    ResourcePattern,
    ResourceType,
    UserScramCredentialUpsertion,
)

from cli.dead_letter_listing import list_dead_letters
from deploy.local.install import install
from deploy.local.stack import LocalStack
from shared.contracts import Measure, MeasureCreated, Topics
from shared.kafka.broker import (
    create_broker,
    ensure_topics,
    kafka_client_options,
    kafka_security_options,
    publish_event,
)
from shared.kafka.topic_reading import read_from_start
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
    # The operators' tools (the tracker's rebuild, `duban dlq`) read topics with the same settings.
    read = [r async for batch in read_from_start(settings.kafka_bootstrap_servers, topic,
                                                  **kafka_security_options(settings)) for r in batch]
    assert [r.key for r in read] == [b"m-1"] and await list_dead_letters(settings) == []


def district_acls(principal: str, code: str, prefix: str) -> list[ACL]:
    """deploy/README.md's ACLs of a district: write its progress reports (literal topic), read the alert topics
    (prefixed `alert-`), its own consumer groups (prefixed `district-<code>-`)."""
    def allow(operation, resource_type, name, pattern):
        return ACL(principal, "*", operation, ACLPermissionType.ALLOW, ResourcePattern(resource_type, name, pattern))

    literal, prefixed = ACLResourcePatternType.LITERAL, ACLResourcePatternType.PREFIXED
    return [allow(ACLOperation.WRITE, ResourceType.TOPIC, f"{prefix}progress-reported", literal),
            allow(ACLOperation.DESCRIBE, ResourceType.TOPIC, f"{prefix}progress-reported", literal),
            allow(ACLOperation.READ, ResourceType.TOPIC, f"{prefix}alert-", prefixed),
            allow(ACLOperation.DESCRIBE, ResourceType.TOPIC, f"{prefix}alert-", prefixed),
            allow(ACLOperation.READ, ResourceType.GROUP, f"district-{code}-", prefixed)]


async def once_known(new_producer, timeout: float = 60) -> AIOKafkaProducer:
    """A started producer of a user just created: the user's credential and ACLs reach the broker through its
    metadata log a moment after the admin's answer (a second or more on a busy machine), and until then the broker
    refuses the login."""
    deadline = time.monotonic() + timeout
    while True:
        producer = new_producer()
        try:
            await producer.start()
            return producer
        except KafkaConnectionError:
            await producer.stop()
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def test_a_district_with_the_documented_acls_writes_its_reports_and_reads_alerts_and_nothing_else(sasl_kafka):
    settings = ServiceSettings(**{name.removeprefix("DUBAN_").lower(): value
                                  for name, value in sasl_kafka.environment(topic_prefix="acl.").items()})
    await ensure_topics(settings)
    topics = Topics(settings.topic_prefix)
    admin = KafkaAdminClient(**{name: value for name, value in sasl_kafka.kafka_options().items()})
    try:
        admin.alter_user_scram_credentials([UserScramCredentialUpsertion(
            "district-361002", "SCRAM-SHA-512", "district-password-361002", iterations=8192)])
        created = admin.create_acls(district_acls("User:district-361002", "361002", topics.prefix))
        assert not created["failed"], created
    finally:
        admin.close()
    district = {**sasl_kafka.kafka_options(), "sasl_plain_username": "district-361002",
                "sasl_plain_password": "district-password-361002"}
    producer = await once_known(lambda: AIOKafkaProducer(**district, enable_idempotence=True, acks="all",
                                                         request_timeout_ms=5000))
    try:
        deadline = time.monotonic() + 30
        while True:  # the ACLs, written after the credential, may reach the broker a moment after it
            try:
                sent = await producer.send_and_wait(topics.progress_reported, b"{}")
                break
            except TopicAuthorizationFailedError:
                assert time.monotonic() < deadline, "the district's WRITE on its progress topic never arrived"
                await asyncio.sleep(0.5)
        assert sent.topic == topics.progress_reported
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(topics.measure_created, b"{}")
    finally:
        await producer.stop()

    services = AIOKafkaProducer(**kafka_client_options(settings))
    await services.start()
    try:
        await services.send_and_wait(topics.alert_raised, b'{"id": "a-1"}')
    finally:
        await services.stop()
    alerts = AIOKafkaConsumer(topics.alert_raised, **district, group_id="district-361002-alerts",
                              auto_offset_reset="earliest")
    await alerts.start()
    try:
        read = await alerts.getmany(timeout_ms=15_000)
        assert [record.value for records in read.values() for record in records] == [b'{"id": "a-1"}']
    finally:
        await alerts.stop()

    for topic, group, refusal in ((topics.progress_reported, "district-361002-peek", TopicAuthorizationFailedError),
                                  (topics.alert_raised, "someone-elses-group", GroupAuthorizationFailedError)):
        consumer = AIOKafkaConsumer(topic, **district, group_id=group, auto_offset_reset="earliest")
        try:
            with pytest.raises(refusal):
                await consumer.start()
                await asyncio.wait_for(consumer.getmany(timeout_ms=10_000), 20)
        finally:
            await consumer.stop()
