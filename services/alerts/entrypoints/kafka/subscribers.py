"""alerts' Kafka subscribers: measure-created, registry-published and assignment-updated, each batch parsed and
handed to one use case (usecases/record.py), which stores it in alerts' own collections and judges the measures
it names.

Records are read by shared/kafka/consuming.py in alerts' own consumer group (shared by every alerts process): one that
breaks the contract or the parser is dead-lettered by this group (`dlq-consumer-group` names it), never skipped,
so the group never commits past a record it neither applied nor dead-lettered. Offsets are committed after the
use case returns (NACK_ON_ERROR): a database failure redelivers the batch, and writing it again changes nothing.
With a clients file, a measure or registry from outside its producer's scope is dead-lettered, as the tracker's group
does (shared/web/producers.py).
"""

from functools import partial

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.alerts.settings import AlertsSettings
from services.alerts.storage.inputs import Inputs
from services.alerts.usecases.evaluate import AlertsService
from services.alerts.usecases.record import record_assignments, record_measures, record_registry
from shared.contracts import AssignmentUpdated, MeasureCreated, RegistryPublished, Topics
from shared.kafka.consuming import Consumer, batch_subscription
from shared.web.clients import Clients
from shared.web.producers import producer_scopes


def register_subscribers(broker: KafkaBroker, inputs: Inputs, service: AlertsService,
                         settings: AlertsSettings, clients: Clients | None) -> None:
    topics = Topics(settings.topic_prefix)
    options = batch_subscription(settings.alerts_consumer_group, max_records=500)
    consumer = Consumer(broker, topics, settings.alerts_consumer_group,
                        admit=producer_scopes(clients, settings.intake_source))

    @broker.subscriber(topics.measure_created, **options)
    async def on_measure_created(message: KafkaMessage) -> None:
        await consumer.consume(message, MeasureCreated, partial(record_measures, inputs, service))

    @broker.subscriber(topics.registry_published, **options)
    async def on_registry_published(message: KafkaMessage) -> None:
        await consumer.consume(message, RegistryPublished, partial(record_registry, inputs))

    @broker.subscriber(topics.assignment_updated, **options)
    async def on_assignment_updated(message: KafkaMessage) -> None:
        await consumer.consume(message, AssignmentUpdated, partial(record_assignments, inputs, service))
