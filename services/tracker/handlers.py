"""The tracker's use cases: what a batch of events does to the state.

Each returns the events it cannot apply yet, with the reason (see shared/consuming.py).
"""

from services.tracker.domain.assignments import UnitLookup
from services.tracker.storage.repository import TrackerRepository
from shared.contracts import MeasureCreated, ProgressReported, RegistryPublished


async def record_registry(repository: TrackerRepository, events: list[RegistryPublished]) -> dict[str, str]:
    await repository.save_registry(events)
    return {}


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
    lookup = await repository.unit_lookup()
    await repository.save_progress([in_registry_terms(event, lookup) for event in events if event.id not in unknown])
    return unknown


def in_registry_terms(event: ProgressReported, lookup: UnitLookup) -> ProgressReported:
    """A report names its unit by id, name or alias; the state keys it by the registry's unit id."""
    unit = lookup.reporting_unit(event.data.unit, event.data.region_code)
    return event if unit == event.data.unit else event.model_copy(
        update={"data": event.data.model_copy(update={"unit": unit})})
