"""Withdrawals: a report taken out of the current state (the next latest becomes current), states published."""

from services.tracker.usecases.context import Tracker
from services.tracker.usecases.current import recompute_current
from services.tracker.usecases.states import refresh_states
from shared.contracts import ProgressWithdrawn


async def record_withdrawals(tracker: Tracker, events: list[ProgressWithdrawn]) -> dict[str, str]:
    """Marks each withdrawn report in the history (the first withdrawal of a report is kept) and decides its
    assignment's current reports and state again. Returns why each withdrawal that could not be applied was not,
    by its event id: its report not received (yet), or a report of another measure, region or period than the
    withdrawal names (it was authorised for the region it names). A redelivered withdrawal marks nothing new and
    decides the same again: nothing changes, nothing is published."""
    repository = tracker.repository
    targets = await repository.stored_reports(event.data.event_id for event in events)
    refused: dict[str, str] = {}
    touched = set()
    for event in sorted(events, key=lambda e: (e.time, e.id)):
        withdrawal, target = event.data, targets.get(event.data.event_id)
        if target is None:
            refused[event.id] = f"no report {withdrawal.event_id!r} to withdraw has been received"
            continue
        named = (withdrawal.measure_id, withdrawal.region_code, withdrawal.period)
        if named != (target["measure_id"], target["region_code"], target["period"]):
            refused[event.id] = (f"report {withdrawal.event_id!r} is on {target['measure_id']} for "
                                 f"{target['region_code']}, {target['period']}, not on {', '.join(named)}")
            continue
        await repository.mark_withdrawn(withdrawal.event_id, {"event_id": event.id, "at": event.time,
                                                              "by": withdrawal.by, "reason": withdrawal.reason})
        touched.add((target["measure_id"], target["unit"]))
    await refresh_states(tracker, await recompute_current(tracker, touched))
    return refused
