"""Each assignment's supervision loop, decided from its stored steps and its measure's lead units
(domain/loop.py): what the published state (usecases/states.py), the intake's pre-check and the timeline read."""

from collections.abc import Iterable

from services.tracker.domain.loop import Loop, Step, loop_of
from services.tracker.domain.states import split_key
from services.tracker.usecases.context import Tracker


async def loops_of(tracker: Tracker, keys: Iterable[str], arriving: Iterable[tuple[str, Step]] = ()) -> dict[str, Loop]:
    """The loop of each of these assignment keys that has steps: the stored ones, and `arriving` (key, step) as if
    they were stored too (a stored step of the same event id is the one kept). One read of the steps; the lead
    units only when there are some."""
    steps: dict[str, list[Step]] = {}
    for key, step in arriving:
        steps.setdefault(key, []).append(step)
    for key, stored in (await tracker.loops.of(keys)).items():
        steps[key] = [*steps.get(key, []), *stored]
    if not steps:
        return {}
    leads = await tracker.loops.lead_units(split_key(key)[0] for key in steps)
    return {key: loop_of(found, split_key(key)[1], leads.get(split_key(key)[0], set()))
            for key, found in steps.items()}


async def timeline(tracker: Tracker, key: str) -> dict | None:
    """The assignment's loop as its state now says it (assignment-updated's loop fields) and every step received,
    in the loop's order, each with what it carried and whether it counted (else the refusal); None for a key that
    is neither assigned nor published."""
    stored = (await tracker.states.load([key])).get(key)
    if stored is None and key not in await tracker.loops.assigned([key]):
        return None
    loop = (await loops_of(tracker, [key])).get(key, Loop())
    reported = stored is not None and stored.state.get("report_event_id") is not None
    measure_id, unit = split_key(key)
    return {"measure_id": measure_id, "unit": unit, **loop.fields(reported), "steps": [
        {"event_id": step.event_id, "type": step.type, "at": step.at, **step.data, "counted": refusal is None,
         "refusal": None if refusal is None else {"kind": refusal.kind, "reason": refusal.reason}}
        for step, refusal in loop.timeline]}
