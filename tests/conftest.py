"""The real infrastructure for integration and end-to-end tests, started once per session.

In order of preference: an external Kafka and MongoDB named by DUBAN_TEST_KAFKA_BOOTSTRAP_SERVERS and
DUBAN_TEST_MONGODB_URL; the official apache/kafka and mongo images through testcontainers when a Docker
engine answers; otherwise the project's own local stack (Kafka's jars on the JDK, SecantusDB), on free ports
in a temporary state directory, tied to this pytest process so nothing outlives it.
"""

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from deploy.local.stack import Endpoints, LocalStack
from shared.contracts import Topics


def docker_engine_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=15).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def containers() -> Iterator[Endpoints]:
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.mongodb import MongoDbContainer

    with KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka, MongoDbContainer("mongo:8.0") as mongo:
        yield Endpoints(kafka.get_bootstrap_server(), mongo.get_connection_url())


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory) -> Iterator[Endpoints]:
    kafka, mongodb = os.environ.get("DUBAN_TEST_KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DUBAN_TEST_MONGODB_URL")
    if kafka and mongodb:
        yield Endpoints(kafka, mongodb)
    elif docker_engine_answers():
        yield from containers()
    else:
        stack = LocalStack(tmp_path_factory.mktemp("stack"), default_ports=False, tie_to_parent=True, kafka_sasl=False)
        try:
            yield stack.start_infrastructure()
        finally:
            stack.stop()


@pytest.fixture
def namespace() -> str:
    """Topics and a database of this test's own, so tests never see each other's events."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def database(settings_values):
    """This test's database, dropped afterwards."""
    client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    yield client[settings_values["mongodb_database"]]
    await client.drop_database(settings_values["mongodb_database"])
    await client.close()


@pytest.fixture
async def publisher(settings_values):
    """A broker to publish test events with."""
    broker = KafkaBroker(settings_values["kafka_bootstrap_servers"])
    await broker.connect()
    yield broker
    await broker.stop()


@pytest.fixture
def topics(settings_values) -> Topics:
    return Topics(settings_values["topic_prefix"])


@pytest.fixture
def settings_values(infrastructure: Endpoints, namespace: str) -> dict:
    return {
        "kafka_bootstrap_servers": infrastructure.kafka_bootstrap_servers,
        "mongodb_url": infrastructure.mongodb_url,
        "topic_prefix": f"{namespace}.",
        "mongodb_database": namespace,
        # A group of its own too: trackers of successive tests would otherwise rebalance each other.
        "consumer_group": f"{namespace}-tracker",
    }
