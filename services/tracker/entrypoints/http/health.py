"""The tracker's readiness: Kafka, the database, its consumers assigned; and its count of report conflicts."""

from faststream.kafka import KafkaBroker

from services.tracker.storage.views import TrackerViews
from shared.health import Readiness, consumer_readiness


def tracker_readiness(broker: KafkaBroker, views: TrackerViews) -> Readiness:
    async def details() -> dict:
        """`report_conflicts`: how many times an event id came again with other content (kept out of the state,
        listed in the report_conflicts collection)."""
        return {"report_conflicts": await views.report_conflict_count()}

    return consumer_readiness("tracker", broker, views.database, details)
