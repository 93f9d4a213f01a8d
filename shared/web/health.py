"""Liveness and readiness, as orchestrators read them (Kubernetes' /livez and /readyz conventions):

- `GET /livez`: the process answers. It depends on nothing outside the process (neither Kafka nor the database),
  so an orchestrator restarts a service only when the service itself is stuck. 200 `{"status": "alive"}`.
- `GET /readyz`: every check of the service passes: 200 `{"service", "status": "ready", "checks", …details}`;
  else 503, an RFC 9457 problem document (`/problems/not-ready`) whose detail names what is missing and whose
  `checks` give each check's state. Each check is bounded by CHECK_TIMEOUT_SECONDS, so a vanished server makes
  the answer 503 within seconds, never a hanging request.
- `GET /health`: readyz's answer, kept for callers of the older endpoint.

`checks` is `{name: {"ready": bool, "state": str, "detail"?: str}}`.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from pymongo.asynchronous.database import AsyncDatabase

from shared.web.problems import problem_response

CHECK_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    ready: bool
    state: str  # what an operator reads: "reachable", "unreachable", "assigned", …
    detail: str | None = None

    def document(self) -> dict:
        return {"ready": self.ready, "state": self.state} | ({"detail": self.detail} if self.detail else {})


Check = Callable[[], Awaitable[CheckResult]]


def database_check(database: AsyncDatabase) -> Check:
    """The database answers a ping."""

    async def check() -> CheckResult:
        try:
            await database.command("ping")
        except Exception as error:  # any failure to answer is "unreachable"; the class says which
            return CheckResult(False, "unreachable", f"{type(error).__name__}: {error}"[:300])
        return CheckResult(True, "reachable")

    return check


def kafka_check(broker: KafkaBroker) -> Check:
    """Kafka answers a metadata request now (FastStream's ping: the admin client's DescribeCluster); a broker not
    connected yet is unreachable too."""

    async def check() -> CheckResult:
        if await broker.ping(timeout=CHECK_TIMEOUT_SECONDS * 0.75):
            return CheckResult(True, "reachable")
        return CheckResult(False, "unreachable", "no answer to a metadata request")

    return check


def consumer_check(broker: KafkaBroker) -> Check:
    """Every subscriber's consumer has partitions assigned by its group (it cannot receive anything before)."""

    async def check() -> CheckResult:
        waiting = [", ".join(subscriber.topic_names) for subscriber in broker.subscribers
                   if subscriber.consumer is None or not subscriber.consumer.assignment()]
        if waiting:
            return CheckResult(False, "not assigned", "no partitions assigned for " + "; ".join(waiting))
        return CheckResult(True, "assigned")

    return check


async def bounded(check: Check) -> CheckResult:
    try:
        return await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return CheckResult(False, "unreachable", f"no answer within {CHECK_TIMEOUT_SECONDS:g} s")


@dataclass
class Readiness:
    """A service's readiness checks; `details` adds service-specific members to a ready answer (it may read the
    database, so it runs only when every check passed)."""

    service: str
    checks: dict[str, Check]
    details: Callable[[], Awaitable[dict]] | None = None

    async def evaluate(self) -> dict[str, CheckResult]:
        results = await asyncio.gather(*(bounded(check) for check in self.checks.values()))
        return dict(zip(self.checks, results, strict=True))

    async def answer(self, request: Request) -> JSONResponse:
        results = await self.evaluate()
        checks = {name: result.document() for name, result in results.items()}
        missing = [f"{name} {result.state}" for name, result in results.items() if not result.ready]
        if missing:
            return problem_response(request, 503, "Not ready", f"{self.service} is not ready: {', '.join(missing)}",
                                    "not-ready", service=self.service, checks=checks)
        details = await self.details() if self.details else {}
        return JSONResponse({"service": self.service, "status": "ready", "checks": checks, **details})


def consumer_readiness(service: str, broker: KafkaBroker, database: AsyncDatabase,
                       details: Callable[[], Awaitable[dict]] | None = None) -> Readiness:
    """A service that consumes events into its database (tracker, alerts): Kafka, the database, its consumers."""
    return Readiness(service, {"kafka": kafka_check(broker), "database": database_check(database),
                               "consumer": consumer_check(broker)}, details)


def install_health(app: FastAPI, readiness: Readiness) -> None:
    """/livez, /readyz and /health (readyz's answer) on the app; none needs a client's token."""
    router = APIRouter(tags=["health"])

    @router.get("/livez")
    async def livez() -> dict:
        """The process answers; 200 `{"status": "alive"}` whatever Kafka and the database do."""
        return {"status": "alive"}

    @router.get("/health", responses={503: {"description": "Not ready (as /readyz)"}})
    @router.get("/readyz", responses={503: {"description": "Not ready: a problem document naming what is missing"}})
    async def readyz(request: Request) -> JSONResponse:
        """Ready when every check passes (Kafka and the database reachable, consumers assigned); else 503.
        /health answers the same, for callers of the older endpoint."""
        return await readiness.answer(request)

    app.state.readiness = readiness
    app.include_router(router)
