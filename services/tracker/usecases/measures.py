"""Measures created (or published again): stored, their assignments resolved, their states published."""

from services.tracker.domain.versions import newest_publication, publication
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.resolution import resolve_measures
from shared.contracts import MeasureCreated


async def record_measures(tracker: Tracker, events: list[MeasureCreated]) -> dict[str, str]:
    """A measure's latest publication wins, by event time then id, whatever the delivery order. Its assignments are
    resolved unless a newer publication is stored (then that one's batch resolves them): also on a redelivery of
    the stored one, which repairs a crash between the measure's write and its assignments'."""
    newest = newest_publication(events, lambda event: event.data.measure_id)
    stored = await tracker.repository.measure_versions(newest)
    current = {measure_id: event for measure_id, event in newest.items()
               if measure_id not in stored or not stored[measure_id].supersedes(publication(event))}
    await tracker.repository.save_measures(list(current.values()))
    if current:
        await resolve_measures(tracker, current, reports=False)
    return {}
