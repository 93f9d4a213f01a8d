"""Health as orchestrators read it, on the real broker and database: a service listens, answers and stops at once
while Kafka is away; under the running services Kafka and then the database go away and come back, and each
service's /readyz follows (503, then 200) while /livez stays 200. Every line a service writes is JSON."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from pymongo import AsyncMongoClient

from deploy.local.install import install
from deploy.local.processes import free_port
from deploy.local.stack import PROJECT, Endpoints, LocalStack
from services.alerts.main import create_app as create_alerts
from services.intake.main import create_app as create_intake
from services.intake.settings import IntakeSettings
from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from tests.support.apps import alerts_settings, running
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    """A Kafka and a database of this module's own, since its test stops them."""
    stack = LocalStack(tmp_path_factory.mktemp("health"), default_ports=False, tie_to_parent=True, kafka_sasl=False)
    installation = install()
    kafka = stack.start_kafka(installation)
    database = stack.start_database(installation)
    try:
        yield stack, installation, Endpoints(kafka.kafka_bootstrap_servers, database)
    finally:
        stack.stop()


def values(endpoints: Endpoints, namespace: str) -> dict:
    return {"kafka_bootstrap_servers": endpoints.kafka_bootstrap_servers, "mongodb_url": endpoints.mongodb_url,
            "topic_prefix": f"{namespace}.", "mongodb_database": namespace, "consumer_group": f"{namespace}-tracker"}


def get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=3, headers={"X-Request-ID": "probe-17"})
    except httpx.HTTPError:
        return None


def test_the_tracker_listens_answers_and_stops_at_once_while_kafka_is_away(own_stack, tmp_path):
    _, _, endpoints = own_stack
    closed = Endpoints(f"127.0.0.1:{free_port()}", endpoints.mongodb_url)
    port, log = free_port(), tmp_path / "tracker.log"
    environment = {**os.environ, **closed.environment(topic_prefix="away.", mongodb_database="away",
                                                      consumer_group="away-tracker")}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "services.tracker.main:create_app", "--host", "127.0.0.1",
             "--port", str(port)], cwd=PROJECT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while (live := get(f"http://127.0.0.1:{port}/livez")) is None and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        assert live is not None and live.json() == {"status": "alive"}, log.read_text()
        ready = get(f"http://127.0.0.1:{port}/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["kafka"]["state"] == "unreachable"
        assert ready.json()["checks"]["consumer"]["state"] == "not assigned"
        assert ready.json()["checks"]["database"]["state"] == "reachable"
        assert ready.headers["x-request-id"] == "probe-17"

        process.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        process.wait(timeout=15)
        assert time.monotonic() - stopping < 5
    finally:
        if process.poll() is None:
            process.kill()
    written = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]  # every line is JSON
    events = {line["event"] for line in written}
    assert "kafka_unreachable" in events
    assert any(line.get("logger", "").startswith("uvicorn") for line in written)  # uvicorn's lines, as JSON
    probes = [line for line in written if line.get("request_id") == "probe-17"]
    assert probes and all("/readyz" in line["event"] or "/livez" in line["event"] for line in probes)


async def readiness(clients: dict[str, httpx.AsyncClient]) -> dict[str, dict]:
    """Each service's /readyz status and checks, and whether its /livez answered 200."""
    answers = {}
    for name, client in clients.items():
        ready, live = await client.get("/readyz"), await client.get("/livez")
        answers[name] = {"status": ready.status_code, "checks": ready.json()["checks"], "live": live.status_code}
    return answers


async def test_readyz_follows_kafka_and_the_database_going_away_and_back_and_livez_stays(own_stack, namespace):
    stack, installation, endpoints = own_stack
    settings = values(endpoints, namespace)
    kafka_ports = stack.record()["kafka"]["port"], stack.record()["kafka"]["controller_port"]
    database_port = stack.record()["database"]["port"]
    apps = {"intake": create_intake(IntakeSettings(**settings)), "tracker": create_tracker(TrackerSettings(**settings)),
            "alerts": create_alerts(alerts_settings(settings)),
            "reporting": create_reporting(ReportingSettings(**settings))}
    async with (running(apps["intake"]) as intake, running(apps["tracker"]) as tracker,
                running(apps["alerts"]) as alerts, running(apps["reporting"]) as reporting):
        clients = {"intake": intake, "tracker": tracker, "alerts": alerts, "reporting": reporting}
        uses_kafka = {"intake", "tracker", "alerts", "reporting"}

        async def states_are(expected: dict[str, int], missing: str | None = None):
            answers = await readiness(clients)
            return all(answers[name]["status"] == status and answers[name]["live"] == 200
                       and (status == 200 or answers[name]["checks"][missing]["state"] == "unreachable")
                       for name, status in expected.items())

        all_ready = {name: 200 for name in clients}
        await eventually(lambda: states_are(all_ready), timeout=90)

        await asyncio.to_thread(stack.processes()["kafka"].stop)
        kafka_away = {name: 503 if name in uses_kafka else 200 for name in clients}
        await eventually(lambda: states_are(kafka_away, "kafka"), timeout=30)
        await asyncio.to_thread(stack.start_kafka, installation, *kafka_ports)
        await eventually(lambda: states_are(all_ready), timeout=120)

        await asyncio.to_thread(stack.processes()["database"].stop)
        await eventually(lambda: states_are({name: 503 for name in clients}, "database"), timeout=30)
        await asyncio.to_thread(stack.start_database, installation, database_port)
        await eventually(lambda: states_are(all_ready), timeout=60)


async def test_the_tracker_alerts_and_reporting_listen_while_the_database_is_away_and_index_once_it_is_back(
        own_stack, namespace):
    stack, installation, endpoints = own_stack
    settings = values(endpoints, namespace)
    database_port = stack.record()["database"]["port"]
    apps = {"tracker": create_tracker(TrackerSettings(**settings)), "alerts": create_alerts(alerts_settings(settings)),
            "reporting": create_reporting(ReportingSettings(**settings))}
    clients = {name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")
               for name, app in apps.items()}

    async def database_named_missing() -> bool:
        answers = [(await client.get("/livez"), await client.get("/readyz")) for client in clients.values()]
        return all(live.status_code == 200 and ready.status_code == 503
                   and ready.json()["checks"]["database"]["state"] == "unreachable"
                   and "database unreachable" in ready.json()["detail"] for live, ready in answers)

    last: dict[str, dict] = {}

    async def all_ready() -> bool:
        last.update({name: (await client.get("/readyz")).json() for name, client in clients.items()})
        return all(answer.get("status") == "ready" for answer in last.values())

    await asyncio.to_thread(stack.processes()["database"].stop)
    restarted = False
    try:
        # Their start returns at once (it used to wait for the indexes and fail after 5 s without a database).
        async with (apps["tracker"].router.lifespan_context(apps["tracker"]),
                    apps["alerts"].router.lifespan_context(apps["alerts"]),
                    apps["reporting"].router.lifespan_context(apps["reporting"])):
            assert await database_named_missing()
            await asyncio.sleep(6)  # past the client's server selection timeout (5 s): still listening
            assert await database_named_missing()

            await asyncio.to_thread(stack.start_database, installation, database_port)
            restarted = True
            try:
                await eventually(all_ready, timeout=120)
            except AssertionError as error:
                raise AssertionError(f"{error}; the last answers: {last}") from None
            async with AsyncMongoClient(endpoints.mongodb_url) as mongo:
                assert {"measure_id_1", "pending_1"} <= (
                    await mongo[namespace]["assignment_states"].index_information()).keys()
                assert {"key_1", "closed_at_1", "pending_1"} <= (
                    await mongo[namespace]["alert_history"].index_information()).keys()
                assert "pending_1" in (await mongo[namespace]["open_alerts"].index_information()).keys()
                assert {"measure_id_1_reported_at_1", "reported_at_1"} <= (
                    await mongo[namespace]["reporting_revisions"].index_information()).keys()
    finally:
        for client in clients.values():
            await client.aclose()
        if not restarted:
            await asyncio.to_thread(stack.start_database, installation, database_port)
