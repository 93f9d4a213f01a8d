"""Kafka subscribers: thin, registered after configuration so tests can point them anywhere.

One consumer group (settings.consumer_group) for every reporting instance: the partitions are split among them
and each event is applied once per group (the writes are idempotent, so a redelivery changes nothing). With a
clients file, a measure, registry, withdrawal or loop step from outside its producer's scope is dead-lettered, as the
tracker's group does (shared/web/producers.py): a withdrawal the tracker refused must not take a report out of the
figures, nor a step it refused stand in an item's timeline.
"""

from functools import partial

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.reporting.settings import ReportingSettings
from services.reporting.storage.collections import ReportingStore
from services.reporting.usecases.record import RECORDERS
from shared.contracts import Topics
from shared.contracts.loop import LOOP_EVENTS
from shared.kafka.consuming import Consumer, RetryPolicy, batch_subscription
from shared.web.clients import Clients
from shared.web.producers import producer_scopes


def topic_of(topics: Topics, contract: type) -> str:
    if contract in LOOP_EVENTS.values():
        return topics.for_loop_event(contract.model_fields["type"].default)
    return {"MeasureCreated": topics.measure_created, "RegistryPublished": topics.registry_published,
            "AssignmentUpdated": topics.assignment_updated, "ProgressWithdrawn": topics.progress_withdrawn,
            "AlertRaised": topics.alert_raised, "AlertSeverityChanged": topics.alert_severity_changed,
            "AlertCleared": topics.alert_cleared,
            "AssignmentLightChanged": topics.assignment_light_changed,
            "AssignmentUrged": topics.assignment_urged}[contract.__name__]


def register_subscribers(broker: KafkaBroker, store: ReportingStore, settings: ReportingSettings,
                         clients: Clients | None) -> None:
    topics = Topics(settings.topic_prefix)
    consumer = Consumer(broker, topics, settings.reporting_consumer_group, RetryPolicy(
        attempts=settings.apply_attempts, first_backoff_seconds=settings.retry_backoff_seconds),
        producer_scopes(clients, settings.intake_source))
    options = batch_subscription(settings.reporting_consumer_group, settings.batch_size)
    for contract, use_case in RECORDERS.items():
        subscribe(broker, consumer, topic_of(topics, contract), options, contract, partial(use_case, store))


def subscribe(broker: KafkaBroker, consumer: Consumer, topic: str, options: dict, contract: type, apply) -> None:
    @broker.subscriber(topic, **options)
    async def on_event(message: KafkaMessage) -> None:
        await consumer.consume(message, contract, apply)
