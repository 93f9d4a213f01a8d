"""The tracker's use cases: what a measure-created or progress-reported event does to the state."""

from services.tracker.storage.repository import TrackerRepository
from shared.contracts import MeasureCreated, ProgressReported


class UnknownMeasure(Exception):
    pass


async def record_measure(repository: TrackerRepository, event: MeasureCreated) -> None:
    await repository.save_measure(event.data, event.id)


async def record_progress(repository: TrackerRepository, event: ProgressReported) -> None:
    if not await repository.measure_exists(event.data.measure_id):
        raise UnknownMeasure(f"no measure {event.data.measure_id!r} has been created")
    await repository.save_progress(event.data, event.id)
