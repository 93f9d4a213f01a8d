"""The tracker's readiness: Kafka, the database, its consumers assigned; its count of report conflicts and of
assignment states whose event is not published yet."""

from faststream.kafka import KafkaBroker

from services.tracker.storage.states import AssignmentStates
from services.tracker.storage.views import TrackerViews
from shared.web.health import Readiness, consumer_readiness


def tracker_readiness(broker: KafkaBroker, views: TrackerViews, states: AssignmentStates) -> Readiness:
    async def details() -> dict:
        """`report_conflicts`: how many times an event id came again with other content (kept out of the state,
        listed in the report_conflicts collection); `assignment_updates_pending`: assignment states whose
        assignment-updated is still in the outbox (growing: Kafka refuses or is away)."""
        return {"report_conflicts": await views.report_conflict_count(),
                "assignment_updates_pending": await states.pending_count()}

    return consumer_readiness("tracker", broker, views.database, details)
