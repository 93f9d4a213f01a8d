"""What alerts judges from, for its tests: assignment-updated events as the tracker publishes them, and alerts'
own input collections seeded through its storage (storage/inputs.py), without any tracker."""

from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase

from services.alerts.storage.inputs import Inputs
from shared.contracts import AssignmentState, AssignmentUpdated, Measure, MeasureCreated, Registry, RegistryPublished


def assignment_updated(measure: Measure, unit: str, revision: int = 1, **state) -> AssignmentUpdated:
    """The tracker's assignment-updated of `unit` on `measure` (the unit's name, role and region default to the
    measure's lead in the measure's region), id `<key>#<revision>` as the contract says."""
    values = {"measure_id": measure.measure_id, "unit": unit, "unit_name": unit, "role": "lead",
              "region_code": measure.region_code, "revision": revision} | state
    data = AssignmentState(**values)
    return AssignmentUpdated.wrap(data, source="/duban/tracker", event_id=f"{data.key}#{revision}")


async def seed_inputs(database: AsyncDatabase, *, registry: Registry | None = None, measures: list[Measure] = (),
                      assignments: list[AssignmentUpdated] = ()) -> None:
    """Writes these into alerts' input collections as its consumers would."""
    inputs = Inputs(database)
    if registry is not None:
        await inputs.save_registry([RegistryPublished.wrap(registry, source="/test")])
    await inputs.save_measures([MeasureCreated.wrap(measure, source="/test") for measure in measures])
    await inputs.save_assignments(list(assignments))


async def seed_city(database: AsyncDatabase, city, reports: list[dict] | None = None,
                    issued: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
    """A generated city (tests/unit/reporting/generated.py) in alerts' input collections, from the same events
    reporting learns it from (GeneratedCity.events, published at `issued`)."""
    events = city.events(reports, issued)
    inputs = Inputs(database)
    await inputs.save_registry([e for e in events if isinstance(e, RegistryPublished)])
    await inputs.save_measures([e for e in events if isinstance(e, MeasureCreated)])
    await inputs.save_assignments([e for e in events if isinstance(e, AssignmentUpdated)])
