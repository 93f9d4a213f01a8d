"""Liveness never looks outside the process; readiness names what is missing, in a problem document."""

import asyncio
import time

import httpx
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from deploy.local.processes import free_port
from shared.web import health
from shared.web.health import CheckResult, Readiness, consumer_check, database_check, install_health, kafka_check
from shared.web.problems import PROBLEM_JSON, install_problem_handlers


async def reachable() -> CheckResult:
    return CheckResult(True, "reachable")


async def unreachable() -> CheckResult:
    return CheckResult(False, "unreachable", "connection refused")


async def silent() -> CheckResult:
    await asyncio.sleep(60)
    return CheckResult(True, "reachable")


async def details() -> dict:
    return {"authentication": "open"}


async def get(readiness: Readiness, path: str) -> httpx.Response:
    app = FastAPI()
    install_problem_handlers(app)
    install_health(app, readiness)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.get(path)


async def test_ready_when_every_check_passes_with_each_checks_state_and_the_details():
    readiness = Readiness("intake", {"kafka": reachable, "database": reachable}, details)
    for path in ("/readyz", "/health"):
        response = await get(readiness, path)
        assert response.status_code == 200
        assert response.json() == {"service": "intake", "status": "ready", "authentication": "open",
                                   "checks": {"kafka": {"ready": True, "state": "reachable"},
                                              "database": {"ready": True, "state": "reachable"}}}


async def test_not_ready_is_a_503_problem_naming_what_is_missing_while_livez_stays_alive():
    readiness = Readiness("tracker", {"kafka": unreachable, "database": reachable}, details)
    for path in ("/readyz", "/health"):
        response = await get(readiness, path)
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM_JSON
        problem = response.json()
        assert problem["type"] == "/problems/not-ready" and problem["status"] == 503
        assert problem["detail"] == "tracker is not ready: kafka unreachable"
        assert problem["checks"]["kafka"] == {"ready": False, "state": "unreachable", "detail": "connection refused"}
        assert problem["checks"]["database"] == {"ready": True, "state": "reachable"}
        assert "authentication" not in problem  # details only when ready (they may need the database)
    live = await get(readiness, "/livez")
    assert (live.status_code, live.json()) == (200, {"status": "alive"})


async def test_a_check_that_does_not_answer_is_unreachable_within_the_bound(monkeypatch):
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.2)
    started = time.monotonic()
    response = await get(Readiness("reporting", {"database": silent}), "/readyz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["state"] == "unreachable"


async def test_a_database_on_a_closed_port_is_unreachable():
    client = AsyncMongoClient(f"mongodb://127.0.0.1:{free_port()}", serverSelectionTimeoutMS=200)
    try:
        result = await database_check(client["duban"])()
    finally:
        await client.close()
    assert not result.ready and result.state == "unreachable" and result.detail


async def test_a_broker_never_connected_is_unreachable_and_its_consumers_not_assigned():
    broker = KafkaBroker(f"127.0.0.1:{free_port()}")

    @broker.subscriber("duban.progress-reported", group_id="duban-tracker")
    async def handle(body: bytes) -> None:
        pass

    assert (await kafka_check(broker)()).state == "unreachable"
    assigned = await consumer_check(broker)()
    assert not assigned.ready and assigned.state == "not assigned"
    assert "duban.progress-reported" in assigned.detail


async def test_a_route_whose_database_is_away_answers_a_503_problem_to_retry():
    client = AsyncMongoClient(f"mongodb://127.0.0.1:{free_port()}", serverSelectionTimeoutMS=200)
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/v1/figures")
    async def figures() -> dict:
        return await client["duban"]["figures"].find_one({}) or {}

    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            response = await http.get("/v1/figures")
    finally:
        await client.close()
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == "/problems/database-unavailable"
