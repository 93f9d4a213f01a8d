"""Prometheus metrics on `/metrics` of every service, from the ecosystem's own instrumentation where there is one.

- HTTP: prometheus-fastapi-instrumentator (`http_requests_total{handler,method,status}`, status grouped as 2xx…5xx;
  `http_request_duration_seconds{handler,method}`, a histogram in seconds).
- Kafka: FastStream's KafkaPrometheusMiddleware (`faststream_received_messages_total{handler}` per topic consumed,
  `faststream_received_processed_messages_duration_seconds{handler}` the handler's latency in seconds,
  `faststream_received_processed_messages_total{handler,status}`, `faststream_published_messages_total
  {destination,status}` per topic published: the dead letters are the ones published to the dead-letter topic).
- Ours, prefixed `duban_`: whether each readiness check passes (`duban_ready{service,dependency}`, 1 or 0: the
  checks of the service's /readyz, shared/web/health.py), the consumer lag per partition (ConsumerLag), the time of
  each district's last event (DistrictFreshness), and what each service registers on its ServiceMetrics.registry
  (open alerts, webhook deliveries, the read model's age).

Each app has its own CollectorRegistry (tests run several apps in one process; the default registry would refuse
the second app's metrics).
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry, Gauge
from prometheus_fastapi_instrumentator import Instrumentator

from shared.kafka.broker import kafka_client_options
from shared.kafka.consuming import ApplyBatch
from shared.settings import ServiceSettings
from shared.web.health import Readiness

Sampler = Callable[[], Awaitable[None]]
# A district whose last applied event is older than this is quiet: the alert rule (deploy/prometheus/rules.yml,
# DubanDistrictSilent) and the operations page use it. Districts' systems report at least weekly in practice.
QUIET_AFTER_SECONDS = 3 * 24 * 3600
log = structlog.get_logger()


class ServiceMetrics:
    """One service's registry, and the samplers its app runs every settings.metrics_sample_seconds while it
    serves."""

    def __init__(self, service: str, settings: ServiceSettings):
        self.service = service
        self.registry = CollectorRegistry()
        self.settings = settings
        self.samplers: list[Sampler] = []

    def instrument(self, app: FastAPI, broker: KafkaBroker | None = None) -> "ServiceMetrics":
        """HTTP requests of `app` and the messages of `broker` counted, `/metrics` served, samplers run within the
        app's lifespan (after the service's own start, so its connections are there)."""
        # The probes are not traffic: an orchestrator's /readyz answered 503 during a start is readiness
        # (duban_ready), not a server error in the 5xx rule or the operations page.
        probes = ["/metrics", "/livez", "/readyz", "/health"]
        Instrumentator(registry=self.registry, excluded_handlers=probes).instrument(app).expose(
            app, include_in_schema=False)
        if broker is not None:
            # Outermost, so a handler's latency includes the dead-lettering and retries shared/kafka/consuming.py does.
            broker.insert_middleware(KafkaPrometheusMiddleware(registry=self.registry, app_name=self.service))
        app.state.metrics = self
        self.watch_readiness(app)
        service_lifespan = app.router.lifespan_context

        @asynccontextmanager
        async def lifespan(app: FastAPI):
            async with service_lifespan(app) as state:
                sampling = asyncio.create_task(self.sample_periodically())
                try:
                    yield state
                finally:
                    sampling.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sampling

        app.router.lifespan_context = lifespan
        return self

    async def sample_periodically(self) -> None:
        """Each sampler in a loop of its own (one waiting on an unreachable Kafka does not hold up the others)."""
        await asyncio.gather(*(self.repeat(sample) for sample in self.samplers))

    async def repeat(self, sample: Sampler) -> None:
        while True:
            try:
                await sample()
            except Exception as error:  # Kafka or the database away: the gauges keep their last values
                log.warning("metrics_sample_failed", sampler=getattr(sample, "__qualname__", repr(sample)),
                            error=repr(error))
            await asyncio.sleep(self.settings.metrics_sample_seconds)

    def watch_readiness(self, app: FastAPI) -> Gauge:
        """`duban_ready{service,dependency}`: 1 while the readiness check `dependency` (kafka, database, consumer,
        …) of the app's /readyz passes, 0 while it fails; sampled like the other gauges. The checks are the ones
        install_health put on the app (app.state.readiness), whichever of the two a composition root calls first."""
        gauge = Gauge("duban_ready", "1 while the service's readiness check of this dependency passes, else 0",
                      ["service", "dependency"], registry=self.registry)

        async def sample_readiness() -> None:
            readiness: Readiness | None = getattr(app.state, "readiness", None)
            for dependency, result in (await readiness.evaluate()).items() if readiness else ():
                gauge.labels(self.service, dependency).set(1 if result.ready else 0)

        self.samplers.append(sample_readiness)
        return gauge

    def watch_consumer_lag(self, groups: Iterable[str]) -> "ConsumerLag":
        lag = ConsumerLag(self.registry, self.settings, list(groups))
        self.samplers.append(lag.sample)
        return lag


def instrument(app: FastAPI, service: str, settings: ServiceSettings, broker: KafkaBroker | None = None
               ) -> ServiceMetrics:
    """The one line a service's composition root needs when it has no metrics of its own."""
    return ServiceMetrics(service, settings).instrument(app, broker)


class ConsumerLag:
    """`duban_consumer_lag_messages{group,topic,partition}`: the partition's end offset minus the group's committed
    offset, in records, read with Kafka's admin API (the group's view, so a stuck or dead consumer shows as a
    growing lag, not as a missing figure). Partitions the group never committed to are not reported."""

    def __init__(self, registry: CollectorRegistry, settings: ServiceSettings, groups: list[str]):
        self.settings = settings
        self.groups = groups
        self.gauge = Gauge("duban_consumer_lag_messages", "Records in the partition the consumer group has not "
                           "committed yet", ["group", "topic", "partition"], registry=registry)

    async def sample(self) -> None:
        admin = AIOKafkaAdminClient(**kafka_client_options(self.settings))
        ends = AIOKafkaConsumer(**kafka_client_options(self.settings), enable_auto_commit=False)
        try:
            await admin.start()
            await ends.start()
            for group in self.groups:
                committed = await admin.list_consumer_group_offsets(group)
                end_offsets = await ends.end_offsets(list(committed)) if committed else {}
                for partition, offset in committed.items():
                    if offset.offset >= 0:  # -1: nothing committed there
                        self.gauge.labels(group, partition.topic, str(partition.partition)).set(
                            max(end_offsets[partition] - offset.offset, 0))
        finally:
            await ends.stop()
            await admin.close()


def district_of(region_code: str) -> str:
    """The county-level region (GB/T 2260, six digits) a region reports through: a township's nine-digit
    statistical code starts with its county's code; a county, district or city is its own."""
    return region_code[:6]


class DistrictFreshness:
    """`duban_district_last_event_timestamp_seconds{region_code}`: when each district last sent an event that was
    applied (the event's CloudEvents `time`, seconds since the epoch; a time in the future counts as now, and an
    older event arriving late does not move it back). `time() - …` is the age Prometheus alerts on."""

    NAME = "duban_district_last_event_timestamp_seconds"

    def __init__(self, registry: CollectorRegistry, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.last: dict[str, float] = {}
        self.gauge = Gauge(self.NAME, "When the district (county-level region) last sent an event that was applied, "
                           "seconds since the epoch", ["region_code"], registry=registry)

    def heard(self, region_code: str, at: datetime) -> None:
        district = district_of(region_code)
        seconds = min(at.astimezone(UTC).timestamp(), self.clock())
        if seconds > self.last.get(district, float("-inf")):
            self.last[district] = seconds
            self.gauge.labels(district).set(seconds)

    def after(self, apply: ApplyBatch) -> ApplyBatch:
        """`apply`, then each event it applied counted for its district (the
        events carry `time` and `data.region_code`); refused ones are not news from the district."""
        async def apply_and_record(events: list) -> dict[str, str]:
            refused = await apply(events)
            for event in events:
                if event.id not in refused:
                    self.heard(event.data.region_code, event.time)
            return refused

        return apply_and_record

    def recall(self, history, region_field: str, time_field: str) -> Sampler:
        """A sampler that, once, sets each district's last event from the stored history (`history`: a PyMongo
        async collection; the newest `time_field` per `region_field`), so a district that went quiet before the
        service (re)started still has its series and its alarm; afterwards it does nothing."""
        recalled = False

        async def recall_history() -> None:
            nonlocal recalled
            if recalled:
                return
            pipeline = [{"$group": {"_id": f"${region_field}", "last": {"$max": f"${time_field}"}}}]
            async for group in await history.aggregate(pipeline):
                if isinstance(group["_id"], str) and isinstance(group["last"], datetime):
                    self.heard(group["_id"], group["last"])
            recalled = True

        return recall_history


def count_documents(metrics: ServiceMetrics, name: str, documentation: str, collection, fields: list[str],
                    match: dict | None = None) -> Gauge:
    """A gauge of the documents of `collection` (PyMongo async) matching `match`, one series per value of `fields`,
    counted every sample; a series seen once stays, at 0, when its documents are gone (so a rule sees it fall)."""
    gauge = Gauge(name, documentation, fields, registry=metrics.registry)
    seen: set[tuple[str, ...]] = set()

    async def sample() -> None:
        pipeline = [{"$match": match or {}}, {"$group": {"_id": {field: f"${field}" for field in fields},
                                                         "count": {"$sum": 1}}}]
        counts = {tuple(str(group["_id"].get(field)) for field in fields): group["count"]
                  async for group in await collection.aggregate(pipeline)}
        for labels in seen | set(counts):
            gauge.labels(*labels).set(counts.get(labels, 0))
        seen.update(counts)

    sample.__qualname__ = f"count_documents:{name}"
    metrics.samplers.append(sample)
    return gauge
