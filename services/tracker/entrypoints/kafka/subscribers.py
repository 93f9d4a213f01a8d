"""Kafka subscribers: thin (parse, call one use case), registered after configuration so tests can point them
anywhere. Reports and withdrawals are keyed by assignment key, so one assignment's events are handled by one
tracker of the group at a time; what crosses keys (a registry, a measure) is made safe by conditional writes in
the use cases, not by a lock. The loop's steps, keyed alike but on five topics, may meet on two trackers: they are
only added to a set, from which the loop is decided (usecases/loop_steps.py)."""

from functools import partial

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.tracker.settings import TrackerSettings
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.loop_steps import record_loop_steps
from services.tracker.usecases.measures import record_measures
from services.tracker.usecases.progress import record_progress
from services.tracker.usecases.registry import record_registry
from services.tracker.usecases.withdrawals import record_withdrawals
from shared.contracts import LOOP_EVENTS, MeasureCreated, ProgressReported, ProgressWithdrawn, RegistryPublished, Topics
from shared.kafka.consuming import Consumer, RetryPolicy, batch_subscription
from shared.metrics import DistrictFreshness
from shared.web.clients import Clients
from shared.web.producers import producer_scopes


def register_subscribers(broker: KafkaBroker, tracker: Tracker, settings: TrackerSettings,
                         districts: DistrictFreshness, clients: Clients | None) -> None:
    """`districts` hears of every progress report applied (the freshness of each district, shared/metrics.py);
    with `clients` (the clients file), every event is held to its producer's scope first (shared/web/producers.py)."""
    topics = Topics(settings.topic_prefix)
    consumer = Consumer(
        broker, topics, settings.consumer_group,
        RetryPolicy(
            attempts=settings.apply_attempts,
            first_backoff_seconds=settings.retry_backoff_seconds,
            transient_budget_seconds=settings.database_outage_budget_seconds,
        ),
        producer_scopes(clients, settings.intake_source),
    )
    # Batches are written with few bulk writes each, and committed only after them.
    options = batch_subscription(settings.consumer_group, settings.batch_size)

    @broker.subscriber(topics.registry_published, **options)
    async def on_registry_published(message: KafkaMessage) -> None:
        await consumer.consume(message, RegistryPublished, partial(record_registry, tracker))

    @broker.subscriber(topics.measure_created, **options)
    async def on_measure_created(message: KafkaMessage) -> None:
        await consumer.consume(message, MeasureCreated, partial(record_measures, tracker))

    @broker.subscriber(topics.progress_reported, **options)
    async def on_progress_reported(message: KafkaMessage) -> None:
        await consumer.consume(message, ProgressReported, districts.after(
            partial(record_progress, tracker, skew=settings.clock_skew)))

    @broker.subscriber(topics.progress_withdrawn, **options)
    async def on_progress_withdrawn(message: KafkaMessage) -> None:
        await consumer.consume(message, ProgressWithdrawn, partial(record_withdrawals, tracker))

    def on_loop_topic(topic: str, contract: type) -> None:
        @broker.subscriber(topic, **options)
        async def on_loop_step(message: KafkaMessage) -> None:
            await consumer.consume(message, contract, partial(record_loop_steps, tracker, skew=settings.clock_skew))

    for topic, contract in zip(topics.loop(), LOOP_EVENTS.values(), strict=True):
        on_loop_topic(topic, contract)
