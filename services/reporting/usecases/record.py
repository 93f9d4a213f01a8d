"""What each consumed event does to reporting's own collections (storage/collections.py decides how, conditionally).

Each use case takes a batch and returns the events it cannot apply yet, with the reason (shared/kafka/consuming.py:
retried, then dead-lettered): none here, every event is applicable as it comes, in any order across topics:
- a measure's or the registry's latest publication wins (event time, then id);
- an assignment's highest revision wins; its current report is kept as a revision of the history;
- a withdrawal marks its report's revision (waiting for it if it comes later) and so takes it out of the history;
- an alert's transitions, in the order of its key's partition, open, change and close its episode;
- an assignment's light changes are each kept once (the latest is decided when read: domain/lights.py);
- the supervision loop's steps are each kept once, for the item's timeline (whether a step counted is the
  tracker's judgement, published in assignment-updated);
- the urges sent by hand are each kept once, for the item's timeline.
"""

from services.reporting.storage.collections import ReportingStore
from shared.contracts import (
    AlertCleared,
    AlertRaised,
    AlertSeverityChanged,
    AssignmentLightChanged,
    AssignmentReopened,
    AssignmentSigned,
    AssignmentUpdated,
    AssignmentUrged,
    CompletionRequested,
    CompletionReturned,
    CompletionVerified,
    LoopEvent,
    MeasureCreated,
    ProgressWithdrawn,
    RegistryPublished,
)


async def record_measures(store: ReportingStore, events: list[MeasureCreated]) -> dict[str, str]:
    await store.save_measures(events)
    return {}


async def record_registry(store: ReportingStore, events: list[RegistryPublished]) -> dict[str, str]:
    await store.save_registries(events)
    return {}


async def record_assignments(store: ReportingStore, events: list[AssignmentUpdated]) -> dict[str, str]:
    await store.save_assignments(events)
    return {}


async def record_withdrawals(store: ReportingStore, events: list[ProgressWithdrawn]) -> dict[str, str]:
    await store.mark_withdrawn(events)
    return {}


async def record_alert_raised(store: ReportingStore, events: list[AlertRaised]) -> dict[str, str]:
    await store.open_alerts_of([event.data for event in events])
    return {}


async def record_alert_severity(store: ReportingStore, events: list[AlertSeverityChanged]) -> dict[str, str]:
    await store.change_severities([event.data for event in events])
    return {}


async def record_alert_cleared(store: ReportingStore, events: list[AlertCleared]) -> dict[str, str]:
    await store.close_alerts([event.data for event in events])
    return {}


async def record_light_changes(store: ReportingStore, events: list[AssignmentLightChanged]) -> dict[str, str]:
    await store.save_light_changes(events)
    return {}


async def record_loop_events(store: ReportingStore, events: list[LoopEvent]) -> dict[str, str]:
    await store.save_loop_events(events)
    return {}


async def record_urges(store: ReportingStore, events: list[AssignmentUrged]) -> dict[str, str]:
    await store.save_urges(events)
    return {}


RECORDERS = {MeasureCreated: record_measures, RegistryPublished: record_registry,
             AssignmentUpdated: record_assignments, ProgressWithdrawn: record_withdrawals,
             AlertRaised: record_alert_raised, AlertSeverityChanged: record_alert_severity,
             AlertCleared: record_alert_cleared, AssignmentLightChanged: record_light_changes,
             AssignmentUrged: record_urges,
             **{contract: record_loop_events for contract in (AssignmentSigned, CompletionRequested,
                                                              CompletionVerified, CompletionReturned,
                                                              AssignmentReopened)}}


async def record(store: ReportingStore, events: list) -> None:
    """Apply events of any of the types above, in their order (runs of one type as one batch): how tests and the
    rebuild feed the store without Kafka."""
    run: list = []
    for event in [*events, None]:
        if run and (event is None or type(event) is not type(run[0])):
            await RECORDERS[type(run[0])](store, run)
            run = []
        if event is not None:
            run.append(event)
