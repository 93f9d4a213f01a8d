"""shared/metrics.py: the districts' freshness, and /metrics on an instrumented app."""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from shared.metrics import DistrictFreshness, ServiceMetrics, district_of
from shared.settings import ServiceSettings
from shared.web.health import CheckResult, Readiness, install_health

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
NAME = DistrictFreshness.NAME


def freshness() -> tuple[DistrictFreshness, ServiceMetrics]:
    metrics = ServiceMetrics("tracker", ServiceSettings())
    return DistrictFreshness(metrics.registry, clock=NOW.timestamp), metrics


def value(metrics: ServiceMetrics, region_code: str) -> float | None:
    return metrics.registry.get_sample_value(NAME, {"region_code": region_code})


def event(event_id: str, region_code: str, at: datetime) -> SimpleNamespace:
    return SimpleNamespace(id=event_id, time=at, data=SimpleNamespace(region_code=region_code))


def test_a_township_reports_through_its_county_and_a_county_or_city_through_itself():
    assert district_of("361002101") == "361002"
    assert district_of("361002") == "361002"
    assert district_of("361000") == "361000"


def test_the_last_event_time_of_a_district_only_moves_forward_and_never_past_now():
    districts, metrics = freshness()
    districts.heard("361002101", NOW - timedelta(hours=1))
    assert value(metrics, "361002") == (NOW - timedelta(hours=1)).timestamp()
    districts.heard("361002", NOW - timedelta(days=3))  # a late report of an old period
    assert value(metrics, "361002") == (NOW - timedelta(hours=1)).timestamp()
    districts.heard("361002", NOW + timedelta(days=400))  # a sender's clock far ahead
    assert value(metrics, "361002") == NOW.timestamp()
    assert value(metrics, "361003") is None


async def test_only_the_events_applied_count_as_news_from_their_district():
    districts, metrics = freshness()
    applied = []

    async def apply(events):
        applied.extend(events)
        return {"b": "no measure 'M9' has been created"}

    refused = await districts.after(apply)([event("a", "361002", NOW - timedelta(minutes=5)),
                                            event("b", "361003", NOW)])
    assert refused == {"b": "no measure 'M9' has been created"} and len(applied) == 2
    assert value(metrics, "361002") == (NOW - timedelta(minutes=5)).timestamp()
    assert value(metrics, "361003") is None


def test_an_instrumented_app_serves_its_requests_on_metrics_in_the_exposition_format():
    app = FastAPI()

    @app.get("/v1/things/{thing}")
    async def thing(thing: str) -> dict:
        return {"thing": thing}

    @app.get("/readyz")
    async def not_ready() -> Response:
        return Response(status_code=503)

    metrics = ServiceMetrics("intake", ServiceSettings()).instrument(app)
    client = TestClient(app)
    for name in ("a", "b"):
        assert client.get(f"/v1/things/{name}").status_code == 200
    assert client.get("/readyz").status_code == 503
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
               for family in text_string_to_metric_families(response.text) for sample in family.samples}
    # One series per route template, not per address; /metrics and the probes are not counted (a start's 503s
    # from /readyz are readiness, not server errors).
    assert samples[("http_requests_total", (("handler", "/v1/things/{thing}"), ("method", "GET"),
                                            ("status", "2xx")))] == 2
    assert not any(dict(labels).get("handler") in ("/metrics", "/readyz") for _, labels in samples)
    assert app.state.metrics is metrics


async def test_a_sampler_that_fails_or_hangs_does_not_stop_the_others():
    metrics = ServiceMetrics("alerts", ServiceSettings(metrics_sample_seconds=0.01))
    ran = []

    async def kafka_away():
        raise ConnectionError("Kafka unreachable")

    async def kafka_slow():
        await asyncio.sleep(3600)

    async def database():
        ran.append(1)

    metrics.samplers.extend([kafka_away, kafka_slow, database])
    sampling = asyncio.create_task(metrics.sample_periodically())
    await asyncio.sleep(0.05)
    sampling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampling
    assert len(ran) > 2  # sampled again and again meanwhile


async def test_each_readiness_check_of_the_service_is_a_ready_gauge_of_1_or_0():
    app = FastAPI()
    metrics = ServiceMetrics("tracker", ServiceSettings()).instrument(app)
    database = {"state": CheckResult(False, "unreachable", "ServerSelectionTimeoutError")}

    async def kafka() -> CheckResult:
        return CheckResult(True, "reachable")

    async def mongodb() -> CheckResult:
        return database["state"]

    install_health(app, Readiness("tracker", {"kafka": kafka, "database": mongodb}))  # after instrument, as alerts
    [sample_readiness] = [sample for sample in metrics.samplers if "readiness" in sample.__qualname__]

    def ready(dependency: str) -> float | None:
        return metrics.registry.get_sample_value("duban_ready", {"service": "tracker", "dependency": dependency})

    await sample_readiness()
    assert (ready("kafka"), ready("database")) == (1, 0)
    database["state"] = CheckResult(True, "reachable")
    await sample_readiness()
    assert (ready("kafka"), ready("database")) == (1, 1)
