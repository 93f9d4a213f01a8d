"""The tracker's use cases: what a batch of measure-created or progress-reported events does to the state.

Each returns the events it cannot apply yet, with the reason (see shared/consuming.py).
"""

from services.tracker.storage.repository import TrackerRepository
from shared.contracts import MeasureCreated, ProgressReported


async def record_measures(repository: TrackerRepository, events: list[MeasureCreated]) -> dict[str, str]:
    await repository.save_measures(events)
    return {}


async def record_progress(repository: TrackerRepository, events: list[ProgressReported]) -> dict[str, str]:
    known = await repository.known_measures({event.data.measure_id for event in events})
    unknown = {
        event.id: f"no measure {event.data.measure_id!r} has been created"
        for event in events
        if event.data.measure_id not in known
    }
    await repository.save_progress([event for event in events if event.id not in unknown])
    return unknown
