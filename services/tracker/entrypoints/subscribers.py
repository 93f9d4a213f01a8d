"""Kafka subscribers: thin, registered after configuration so tests can point them anywhere."""

from functools import partial

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.tracker import handlers
from services.tracker.settings import TrackerSettings
from services.tracker.storage.repository import TrackerRepository
from shared.consuming import Consumer, RetryPolicy, batch_subscription
from shared.contracts import MeasureCreated, ProgressReported, ProgressWithdrawn, RegistryPublished, Topics
from shared.metrics import DistrictFreshness


def register_subscribers(broker: KafkaBroker, repository: TrackerRepository, settings: TrackerSettings,
                         districts: DistrictFreshness) -> None:
    """`districts` hears of every progress report applied (the freshness of each district, shared/metrics.py)."""
    topics = Topics(settings.topic_prefix)
    consumer = Consumer(
        broker, topics, settings.consumer_group,
        RetryPolicy(
            attempts=settings.apply_attempts,
            first_backoff_seconds=settings.retry_backoff_seconds,
            transient_budget_seconds=settings.database_outage_budget_seconds,
        ),
    )
    # Batches are written with one unordered bulk write each, and committed only after it.
    options = batch_subscription(settings.consumer_group, settings.batch_size)

    @broker.subscriber(topics.registry_published, **options)
    async def on_registry_published(message: KafkaMessage) -> None:
        await consumer.consume(message, RegistryPublished, partial(handlers.record_registry, repository))

    @broker.subscriber(topics.measure_created, **options)
    async def on_measure_created(message: KafkaMessage) -> None:
        await consumer.consume(message, MeasureCreated, partial(handlers.record_measures, repository))

    @broker.subscriber(topics.progress_reported, **options)
    async def on_progress_reported(message: KafkaMessage) -> None:
        await consumer.consume(message, ProgressReported, districts.after(
            partial(handlers.record_progress, repository, skew=settings.clock_skew)))

    @broker.subscriber(topics.progress_withdrawn, **options)
    async def on_progress_withdrawn(message: KafkaMessage) -> None:
        await consumer.consume(message, ProgressWithdrawn, partial(handlers.record_withdrawals, repository))
