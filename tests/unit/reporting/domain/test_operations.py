"""The operations page's figures from real expositions (prometheus_client writes them as the services do)."""

from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, generate_latest

from services.reporting.domain.operations import Scrape, summarize
from shared.metrics import QUIET_AFTER_SECONDS, DistrictFreshness, ServiceMetrics
from shared.settings import ServiceSettings

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC).timestamp()


def tracker_exposition() -> str:
    metrics = ServiceMetrics("tracker", ServiceSettings())
    districts = DistrictFreshness(metrics.registry, clock=lambda: NOW)
    districts.heard("361002101", datetime.fromtimestamp(NOW - 60, UTC))
    districts.heard("361003", datetime.fromtimestamp(NOW - QUIET_AFTER_SECONDS - 3600, UTC))
    lag = metrics.watch_consumer_lag(["duban-tracker"])
    lag.gauge.labels("duban-tracker", "progress-reported", "1").set(40)
    lag.gauge.labels("duban-tracker", "progress-reported", "0").set(2)
    received = Counter("faststream_received_messages", "", ["app_name", "broker", "handler"],
                       registry=metrics.registry)
    received.labels("tracker", "kafka", "progress-reported").inc(120)
    published = Counter("faststream_published_messages", "", ["app_name", "broker", "destination", "status"],
                        registry=metrics.registry)
    published.labels("tracker", "kafka", "prod.dead-letter", "success").inc(3)
    published.labels("tracker", "kafka", "prod.dead-letter", "error").inc(1)  # not published: not a dead letter
    return generate_latest(metrics.registry).decode()


def alerts_exposition() -> str:
    metrics = ServiceMetrics("alerts", ServiceSettings())
    open_alerts = Gauge("duban_open_alerts", "", ["kind", "severity"], registry=metrics.registry)
    open_alerts.labels("overdue", "critical").set(4)
    open_alerts.labels("lagging", "warning").set(0)  # cleared since: not listed
    Gauge("duban_webhook_deliveries", "", ["status"], registry=metrics.registry).labels("failed").set(2)
    requests = Counter("http_requests", "", ["handler", "method", "status"], registry=metrics.registry)
    requests.labels("/v1/alerts", "GET", "2xx").inc(9)
    requests.labels("/v1/alerts", "GET", "5xx").inc(1)
    return generate_latest(metrics.registry).decode()


def test_the_figures_of_every_service_summed_up_with_the_quiet_district_first():
    figures = summarize([Scrape("tracker", tracker_exposition()), Scrape("alerts", alerts_exposition()),
                         Scrape("intake", error="ConnectError: connection refused"),
                         Scrape("reporting", "<html>not metrics</html>\n{")],
                        NOW, {"361002": "临川区", "361003": "东乡区"})
    assert [(d["region_code"], d["name"], d["quiet"]) for d in figures["districts"]] == [
        ("361003", "东乡区", True), ("361002", "临川区", False)]
    assert figures["districts"][1]["age_seconds"] == 60
    assert [(row["partition"], row["lag"]) for row in figures["consumer_lag"]] == [(0, 2), (1, 40)]
    topics = {row["topic"]: row for row in figures["topics"]}
    assert topics["progress-reported"]["consumed"] == 120 and topics["prod.dead-letter"]["published"] == 3
    assert figures["dead_letters"] == 3
    assert figures["open_alerts"] == [{"kind": "overdue", "severity": "critical", "count": 4}]
    assert figures["webhook_deliveries"] == {"failed": 2}
    services = {row["service"]: row for row in figures["services"]}
    assert (services["alerts"]["up"], services["alerts"]["requests"], services["alerts"]["server_errors"]) == (
        True, 10, 1)
    assert services["intake"] == {"service": "intake", "up": False, "error": "ConnectError: connection refused",
                                  "requests": 0, "server_errors": 0, "mean_request_seconds": None}
    assert not services["reporting"]["up"] and "exposition format" in services["reporting"]["error"]
    assert figures["read_model_age_seconds"] is None
