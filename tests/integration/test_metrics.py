"""/metrics on the real broker and database: a district that stops sending grows stale while the others stay
fresh; consumption, dead letters and the consumer lag are counted; the database-backed gauges follow the data."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from services.tracker.main import create_app
from services.tracker.settings import TrackerSettings
from shared.contracts import Measure, MeasureCreated, ProgressReport, ProgressReported
from shared.kafka.broker import ensure_topics, publish_event
from shared.metrics import DistrictFreshness, ServiceMetrics, count_documents
from shared.settings import ServiceSettings
from tests.support.apps import running
from tests.support.intake import running_intake
from tests.support.samples import REPORT
from tests.support.waiting import eventually

MEASURE = Measure(
    measure_id="fuzhou-2026-3", plan_id="fuzhou-2026", region_code="361000", number=3, title="加强行政应诉工作",
    lead_units=["市司法局"], responsible_units=["临川区政府", "东乡区政府"],
    deadlines=[{"text": "2026年底前", "date": "2026-12-31"}],
)
UNITS = {"361002": "临川区政府", "361003": "东乡区政府"}
START = datetime(2026, 10, 1, 9, tzinfo=UTC)


def samples(exposition: str) -> dict[tuple[str, frozenset], float]:
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(exposition) for sample in family.samples}


def value(found: dict, name: str, **labels: str) -> float | None:
    """The sample whose labels include `labels` (None when there is none)."""
    matching = [v for (n, have), v in found.items() if n == name and set(labels.items()) <= have]
    assert len(matching) <= 1, matching
    return matching[0] if matching else None


def report(region_code: str, hours: int) -> ProgressReport:
    """The district's unit's report on MEASURE, `hours` after START."""
    return ProgressReport(measure_id=MEASURE.measure_id, unit=UNITS[region_code], region_code=region_code,
                          period="2026-Q4", percent_complete=min(hours, 100), status="in_progress",
                          reported_at=START + timedelta(hours=hours))


async def send(publisher, topics, region_code: str, hours: int) -> None:
    event = ProgressReported.wrap(report(region_code, hours), source=f"/districts/{region_code}")
    await publish_event(publisher, topics.progress_reported, event, event.data.assignment_key)


@pytest.fixture
async def tracker(settings_values):
    settings = TrackerSettings(**settings_values, retry_backoff_seconds=0.05, metrics_sample_seconds=0.5)
    async with running(create_app(settings)) as client:
        yield client


async def test_a_district_that_stops_sending_grows_stale_while_the_other_stays_fresh(tracker, publisher, topics):
    await publish_event(publisher, topics.measure_created, MeasureCreated.wrap(MEASURE, source="/test"),
                        MEASURE.measure_id)
    for region_code in UNITS:
        await send(publisher, topics, region_code, hours=1)
    await publisher.publish(b"\xff not an event", topics.progress_reported, key=b"x")  # dead-lettered

    async def both_heard():
        found = samples((await tracker.get("/metrics")).text)
        stamps = {code: value(found, DistrictFreshness.NAME, region_code=code) for code in UNITS}
        return stamps if all(stamps.values()) else None

    first = await eventually(both_heard)
    # 临川区 keeps sending, one report a second; 东乡区 has stopped.
    for hours in range(2, 8):
        await asyncio.sleep(1)
        await send(publisher, topics, "361002", hours)

    async def latest_applied():
        found = samples((await tracker.get("/metrics")).text)
        recent = value(found, DistrictFreshness.NAME, region_code="361002")
        return found if recent and time.time() - recent < 2 else None

    found = await eventually(latest_applied)
    now = time.time()
    quiet = now - value(found, DistrictFreshness.NAME, region_code="361003")
    sending = now - value(found, DistrictFreshness.NAME, region_code="361002")
    assert value(found, DistrictFreshness.NAME, region_code="361003") == first["361003"]
    assert quiet >= 6 and sending < 2, (quiet, sending)

    # Consumption per topic and the dead letter, as FastStream's middleware counts them.
    assert value(found, "faststream_received_messages_total", handler=topics.progress_reported) >= 8
    assert value(found, "faststream_published_messages_total", destination=topics.dead_letter,
                 status="success") == 1

    async def caught_up():  # sampled every 0.5 s: 0 on each partition once the group has committed everything
        lags = samples((await tracker.get("/metrics")).text)
        partitions = [v for (n, labels), v in lags.items()
                      if n == "duban_consumer_lag_messages" and ("topic", topics.progress_reported) in labels]
        return partitions and all(v == 0 for v in partitions)

    await eventually(caught_up)


async def test_the_lag_counts_the_records_a_group_has_not_committed(settings_values, publisher, topics):
    settings = ServiceSettings(**settings_values)
    await ensure_topics(settings)
    topic = topics.progress_reported
    for _ in range(7):
        await publisher.publish(b"{}", topic, partition=0)
    group = f"{settings_values['topic_prefix']}lagging"
    consumer = AIOKafkaConsumer(bootstrap_servers=settings_values["kafka_bootstrap_servers"], group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.commit({TopicPartition(topic, 0): 3})
    finally:
        await consumer.stop()
    metrics = ServiceMetrics("tracker", settings)
    lag = metrics.watch_consumer_lag([group])
    await lag.sample()
    assert metrics.registry.get_sample_value("duban_consumer_lag_messages",
                                             {"group": group, "topic": topic, "partition": "0"}) == 4


async def test_counted_documents_follow_the_collection_and_fall_to_zero(settings_values, database):
    metrics = ServiceMetrics("alerts", ServiceSettings(**settings_values))
    count_documents(metrics, "duban_open_alerts", "Open alerts", database["open_alerts"], ["kind", "severity"])
    [sample] = metrics.samplers
    await database["open_alerts"].insert_many([{"kind": "overdue", "severity": "critical"},
                                               {"kind": "overdue", "severity": "critical"},
                                               {"kind": "lagging", "severity": "warning"}])
    await sample()

    def open_alerts(kind, severity):
        return metrics.registry.get_sample_value("duban_open_alerts", {"kind": kind, "severity": severity})

    assert (open_alerts("overdue", "critical"), open_alerts("lagging", "warning")) == (2, 1)
    await database["open_alerts"].delete_many({"kind": "overdue"})
    await sample()
    assert (open_alerts("overdue", "critical"), open_alerts("lagging", "warning")) == (0, 1)


async def test_after_a_restart_each_district_s_last_report_is_recalled_from_the_history(settings_values, database):
    history = database["progress_reports"]
    await history.insert_many([
        {"_id": "a", "region_code": "361002101", "reported_at": START + timedelta(days=2)},  # a township of 临川区
        {"_id": "b", "region_code": "361002", "reported_at": START + timedelta(days=1)},
        {"_id": "c", "region_code": "361003", "reported_at": START},
    ])
    metrics = ServiceMetrics("tracker", ServiceSettings(**settings_values))
    districts = DistrictFreshness(metrics.registry)
    recall = districts.recall(history, "region_code", "reported_at")
    await recall()

    def last(region_code):
        return metrics.registry.get_sample_value(DistrictFreshness.NAME, {"region_code": region_code})

    assert (last("361002"), last("361003")) == ((START + timedelta(days=2)).timestamp(), START.timestamp())
    districts.heard("361003", datetime.now(UTC))  # news since the restart is not overwritten by a later recall
    heard = last("361003")
    await recall()
    assert last("361003") == heard and heard > START.timestamp()


async def test_intake_counts_its_requests_per_route_and_its_events_per_topic(settings_values, topics):
    async with running_intake(settings_values, sample_measures=True) as intake:
        assert (await intake.post("/v1/progress", json=REPORT)).status_code == 202
        assert (await intake.post("/v1/progress", json={**REPORT, "percent_complete": 900})).status_code == 422
        found = samples((await intake.get("/metrics")).text)
    assert value(found, "http_requests_total", handler="/v1/progress", status="2xx") == 1
    assert value(found, "http_requests_total", handler="/v1/progress", status="4xx") == 1
    assert value(found, "faststream_published_messages_total", destination=topics.progress_reported,
                 status="success") == 1
