"""Times a progress report's way to the alert it causes: published on progress-reported, applied by the tracker,
re-evaluated by the alerts service's event-driven path, out on alert-raised / alert-cleared.

Usage: python bench/alerts_latency.py [--runs 30] [--kafka HOST:PORT --mongodb-url URL]
Without --kafka and --mongodb-url it starts the local stack's Kafka and database (SecantusDB) in a temporary
directory and stops them at the end. The tracker and the alerts service run in this process with their real
lifespans (subscribers, no periodic sweep). One assignment, 3 days past its deadline, is reported alternately
completed (its overdue alert clears) and in progress (it is raised again): each report is one transition. Prints
p50 / p95 / max of the time from publishing the report to reading the alert event, after one warm-up.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from aiokafka import AIOKafkaConsumer  # noqa: E402
from faststream.kafka import KafkaBroker  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from deploy.local.stack import LocalStack  # noqa: E402
from services.alerts.main import create_app as create_alerts  # noqa: E402
from services.alerts.settings import AlertsSettings  # noqa: E402
from services.tracker.main import create_app as create_tracker  # noqa: E402
from services.tracker.settings import TrackerSettings  # noqa: E402
from shared.contracts import Measure, MeasureCreated, ProgressReport, ProgressReported, Topics  # noqa: E402
from shared.domain.calendar import today_in_china  # noqa: E402
from shared.kafka.broker import publish_event  # noqa: E402

TODAY = today_in_china()
MEASURE = Measure(measure_id="bench-1", plan_id="bench", region_code="361000", number=1, title="基准措施",
                  lead_units=["市司法局"], start_date=TODAY - timedelta(days=9),
                  deadlines=[{"text": "限期完成", "date": (TODAY - timedelta(days=3)).isoformat()}])


def report(run: int) -> ProgressReported:
    completed = run % 2 == 1  # the warm-up (run 0) raises, then clear, raise, clear, …
    return ProgressReported.wrap(ProgressReport(
        measure_id=MEASURE.measure_id, unit="市司法局", region_code="361000",
        period=f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}", percent_complete=100.0 if completed else 50.0,
        status="completed" if completed else "in_progress",
        reported_at=datetime.now(UTC) + timedelta(milliseconds=run)), source="/bench")


async def measure(kafka: str, mongodb_url: str, runs: int) -> list[float]:
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    values = {"kafka_bootstrap_servers": kafka, "mongodb_url": mongodb_url, "topic_prefix": f"{namespace}.",
              "mongodb_database": namespace}
    topics = Topics(values["topic_prefix"])
    tracker = create_tracker(TrackerSettings(**values, consumer_group=f"{namespace}-tracker"))
    alerts = create_alerts(AlertsSettings(**values, alerts_sweep_interval_seconds=0,
                                          alerts_consumer_group=f"{namespace}-alerts"))
    publisher = KafkaBroker(kafka)
    consumer = AIOKafkaConsumer(topics.alert_raised, topics.alert_cleared, bootstrap_servers=kafka,
                                auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    latencies = []
    try:
        async with tracker.router.lifespan_context(tracker), alerts.router.lifespan_context(alerts):
            await publisher.connect()
            await consumer.start()
            await publish_event(publisher, topics.measure_created, MeasureCreated.wrap(MEASURE, source="/bench"),
                                MEASURE.measure_id)
            for run in range(runs + 1):
                event = report(run)
                expected = "alert-cleared" if run % 2 else "alert-raised"
                started = time.perf_counter()
                await publish_event(publisher, topics.progress_reported, event, event.data.assignment_key)
                while True:
                    record = await asyncio.wait_for(consumer.getone(), timeout=60)
                    if record.topic.endswith(expected):
                        break
                if run:  # run 0 warms up (consumers joining, the measure arriving)
                    latencies.append(time.perf_counter() - started)
    finally:
        await consumer.stop()
        await publisher.stop()
        client = AsyncMongoClient(mongodb_url)
        await client.drop_database(namespace)
        await client.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--kafka")
    parser.add_argument("--mongodb-url")
    args = parser.parse_args()
    stack = None
    if not (args.kafka and args.mongodb_url):
        stack = LocalStack(Path(tempfile.mkdtemp(prefix="duban-bench-")), default_ports=False, tie_to_parent=True)
        endpoints = stack.start_infrastructure()
        args.kafka, args.mongodb_url = endpoints.kafka_bootstrap_servers, endpoints.mongodb_url
    try:
        latencies = sorted(asyncio.run(measure(args.kafka, args.mongodb_url, args.runs)))
    finally:
        if stack:
            stack.stop()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * len(latencies)) - 1)]
    print(f"progress report → alert event, {len(latencies)} transitions (raised and cleared alternately):")
    print(f"  p50 {1000 * statistics.median(latencies):.0f} ms   p95 {1000 * p95:.0f} ms   "
          f"max {1000 * latencies[-1]:.0f} ms")


if __name__ == "__main__":
    main()
