"""Event-driven evaluation: a report or a measure re-evaluates its measure's assignments once the tracker has them.

The tracker writes asynchronously, in its own consumer group, so this subscriber first waits (polling, at most
`alerts_tracker_wait_seconds`) until the tracker's state holds the events' ids (`progress_reports` for a report,
`measures` for a measure); a report is written to the history before the current state, so a short settling pause
follows. Then every assignment of the events' measures is judged today. Whatever is not applied in time (a report
the tracker dead-letters, a measure superseded by a newer one) is judged by the next sweep. A whole measure is
judged rather than the reporting unit alone: the tracker may have rekeyed the unit to its registry id.

Records are read by shared/consuming.py like the tracker's, in alerts' own consumer group: one that breaks the
contract or the parser is dead-lettered by this group too (`dlq-consumer-group` names it), never skipped, so the
group never commits past a record it neither judged nor dead-lettered. Offsets are committed after the
evaluation (NACK_ON_ERROR): a database failure redelivers the batch.
"""

import asyncio
import time

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pymongo.asynchronous.database import AsyncDatabase

from services.alerts.evaluation import AlertsService
from services.alerts.settings import AlertsSettings
from shared.consuming import Consumer, batch_subscription, records_of
from shared.contracts import MeasureCreated, ProgressReported, Topics

SETTLE_SECONDS = 0.3
POLL_SECONDS = 0.1


async def applied(collection, event_ids: set[str], wait_seconds: float) -> bool:
    """Whether the tracker's collection holds every one of these event ids, within the wait."""
    deadline = time.monotonic() + wait_seconds
    while True:
        found = set(await collection.distinct("event_id", {"event_id": {"$in": sorted(event_ids)}}))
        if event_ids <= found:
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(POLL_SECONDS)


def register_subscribers(broker: KafkaBroker, service: AlertsService, tracker_database: AsyncDatabase,
                         settings: AlertsSettings) -> None:
    topics = Topics(settings.topic_prefix)
    options = batch_subscription(settings.alerts_consumer_group, max_records=500)
    consumer = Consumer(broker, topics, settings.alerts_consumer_group)

    async def after_tracker(collection: str, events: list) -> None:
        if not events:
            return
        await applied(tracker_database[collection], {e.id for e in events}, settings.alerts_tracker_wait_seconds)
        await asyncio.sleep(SETTLE_SECONDS)
        await service.reevaluate({e.data.measure_id for e in events})

    @broker.subscriber(topics.progress_reported, **options)
    async def on_progress_reported(message: KafkaMessage) -> None:
        batch = await consumer.parse(records_of(message), ProgressReported)
        await after_tracker("progress_reports", batch.events)

    @broker.subscriber(topics.measure_created, **options)
    async def on_measure_created(message: KafkaMessage) -> None:
        batch = await consumer.parse(records_of(message), MeasureCreated)
        await after_tracker("measures", batch.events)
