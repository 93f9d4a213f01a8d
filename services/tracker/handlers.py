"""The tracker's use cases: what a batch of events does to the state.

Each returns the events it cannot apply, with the reason (see shared/consuming.py: retried, then dead-lettered).
"""

from datetime import timedelta

from services.tracker.domain.assignments import UnitLookup
from services.tracker.domain.reports import content_digest
from services.tracker.storage.repository import TrackerRepository
from shared.calendar import CLOCK_SKEW, ReportWindow
from shared.contracts import MeasureCreated, ProgressReported, ProgressWithdrawn, RegistryPublished


async def record_registry(repository: TrackerRepository, events: list[RegistryPublished]) -> dict[str, str]:
    await repository.save_registry(events)
    return {}


async def record_measures(repository: TrackerRepository, events: list[MeasureCreated]) -> dict[str, str]:
    await repository.save_measures(events)
    return {}


async def record_progress(repository: TrackerRepository, events: list[ProgressReported],
                          skew: timedelta = CLOCK_SKEW) -> dict[str, str]:
    """Applies the reports on known measures whose time and period lie in the reporting window (the rule intake
    applies: shared/calendar.ReportWindow, from the measure's start): a report dated in year 9999 would stay
    "latest" for good. A report on a measure not created (yet) is refused until it is."""
    starts = await repository.measure_starts({event.data.measure_id for event in events})
    refused = {}
    for event in events:
        report = event.data
        if report.measure_id not in starts:
            refused[event.id] = f"no measure {report.measure_id!r} has been created"
            continue
        window = ReportWindow(starts[report.measure_id], skew=skew)
        if reason := window.refusal(report.reported_at) or window.period_refusal(report.period):
            refused[event.id] = reason
    lookup = await repository.unit_lookup()
    admitted = [event for event in events if event.id not in refused]
    await repository.save_progress([in_registry_terms(event, lookup) for event in admitted], lookup,
                                   digests=[content_digest(event) for event in admitted])
    return refused


async def record_withdrawals(repository: TrackerRepository, events: list[ProgressWithdrawn]) -> dict[str, str]:
    """A withdrawal takes its report out of the current state (the next latest report becomes current); the
    report stays in the history, marked withdrawn. A withdrawal of a report not received (yet) waits for it; one
    naming another measure, region or period than its report's is refused."""
    return await repository.withdraw(events)


def in_registry_terms(event: ProgressReported, lookup: UnitLookup) -> ProgressReported:
    """A report names its unit by id, name or alias; the state keys it by the registry's unit id."""
    unit = lookup.reporting_unit(event.data.unit, event.data.region_code)
    return event if unit == event.data.unit else event.model_copy(
        update={"data": event.data.model_copy(update={"unit": unit})})
