"""The operations page's figures (运行监控), summed up from the services' Prometheus expositions: the same series
Prometheus scrapes and Grafana shows (shared/metrics.py), for an operator without either.

Pure: `summarize` takes each service's /metrics text (or why it could not be read) and the time, and returns
plain JSON-ready dicts; counters are totals since each service started (no rates: there is no history here).
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

from shared.contracts import Topics
from shared.metrics import QUIET_AFTER_SECONDS, DistrictFreshness

DEAD_LETTER = Topics("").dead_letter  # the topic's name after any deployment's prefix


@dataclass(frozen=True)
class Scrape:
    """One service's /metrics: its text, or the error that kept it from being read."""
    service: str
    text: str | None = None
    error: str | None = None


Samples = list[tuple[str, dict[str, str], float]]


def samples_of(text: str) -> Samples:
    """(name, labels, value) of every sample; raises ValueError on text that is not the exposition format."""
    return [(sample.name, sample.labels, sample.value)
            for family in text_string_to_metric_families(text) for sample in family.samples]


def total(samples: Samples, name: str, **labels: str) -> float:
    return sum(value for sample_name, have, value in samples
               if sample_name == name and all(have.get(k) == v for k, v in labels.items()))


def summarize(scrapes: list[Scrape], now: float, region_names: Mapping[str, str] | None = None) -> dict:
    """The page's figures. `now` in seconds since the epoch; `region_names` code -> name (the registry's).

    - services: reachable or why not; HTTP requests, 5xx answers, mean latency in seconds since start;
    - districts: each district's last event (the newest any tracker reports), its age in seconds, and whether
      it is quiet (older than QUIET_AFTER_SECONDS, the alert rule's threshold), the stalest first;
    - topics: records consumed and published per topic, handler errors, mean handler latency in seconds;
    - consumer_lag: records per group, topic and partition; dead_letters: records dead-lettered;
    - open_alerts by kind and severity; webhook_deliveries by status; read_model_age_seconds.
    """
    region_names = region_names or {}
    services, last_heard, lag = [], {}, []
    topics: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    open_alerts, deliveries, read_model_age, dead_letters = [], {}, None, 0.0
    for scrape in scrapes:
        samples: Samples = []
        error = scrape.error
        if error is None:
            try:
                samples = samples_of(scrape.text or "")
            except ValueError as refused:
                error = f"not the Prometheus exposition format: {refused}"
        requests = total(samples, "http_requests_total")
        seconds, timed = total(samples, "http_request_duration_seconds_sum"), \
            total(samples, "http_request_duration_seconds_count")
        services.append({"service": scrape.service, "up": error is None, "error": error,
                         "requests": requests, "server_errors": total(samples, "http_requests_total", status="5xx"),
                         "mean_request_seconds": seconds / timed if timed else None})
        for name, labels, value in samples:
            if name == DistrictFreshness.NAME:
                last_heard[labels["region_code"]] = max(value, last_heard.get(labels["region_code"], value))
            elif name == "duban_consumer_lag_messages":
                lag.append({"service": scrape.service, "group": labels["group"], "topic": labels["topic"],
                            "partition": int(labels["partition"]), "lag": value})
            elif name == "faststream_received_messages_total":
                topics[labels["handler"]]["consumed"] += value
            elif name == "faststream_received_processed_messages_exceptions_total":
                topics[labels["handler"]]["errors"] += value
            elif name == "faststream_received_processed_messages_duration_seconds_sum":
                topics[labels["handler"]]["handler_seconds"] += value
            elif name == "faststream_received_processed_messages_duration_seconds_count":
                topics[labels["handler"]]["handled"] += value
            elif name == "faststream_published_messages_total" and labels.get("status") == "success":
                topics[labels["destination"]]["published"] += value
                if labels["destination"].endswith(DEAD_LETTER):
                    dead_letters += value
            elif name == "duban_open_alerts" and value:
                open_alerts.append({"kind": labels["kind"], "severity": labels["severity"], "count": value})
            elif name == "duban_webhook_deliveries":
                deliveries[labels["status"]] = deliveries.get(labels["status"], 0) + value
            elif name == "duban_read_model_age_seconds" and value == value:  # NaN: no snapshot read yet
                read_model_age = value
    districts = sorted(({"region_code": code, "name": region_names.get(code), "last_event_at": at,
                         "age_seconds": max(now - at, 0.0), "quiet": now - at > QUIET_AFTER_SECONDS}
                        for code, at in last_heard.items()), key=lambda d: (-d["age_seconds"], d["region_code"]))
    return {
        "as_of": now, "quiet_after_seconds": QUIET_AFTER_SECONDS, "services": services, "districts": districts,
        "topics": [{"topic": topic, "consumed": figures["consumed"], "published": figures["published"],
                    "errors": figures["errors"], "mean_handler_seconds":
                        figures["handler_seconds"] / figures["handled"] if figures["handled"] else None}
                   for topic, figures in sorted(topics.items())],
        "consumer_lag": sorted(lag, key=lambda row: (row["group"], row["topic"], row["partition"])),
        "dead_letters": dead_letters,
        "open_alerts": sorted(open_alerts, key=lambda row: (row["kind"], row["severity"])),
        "webhook_deliveries": deliveries, "read_model_age_seconds": read_model_age,
    }
