"""Supervision-loop steps (signed, completion requested, verified, returned, reopened): kept, judged, states
published; and the judgement of a step not taken yet, for intake to answer before it publishes one.

Every step of an assignment the tracker has is kept, allowed or not, and the loop is decided from all of them in
their own order (domain/loop.py), so delivery order changes nothing. A step the loop refuses where it stands is
answered as refused with the reason: shared/kafka/consuming.py tries it again a few times (a step that happened
before it may still be on its way on another topic), then dead-letters it with that reason. It stays in the
timeline as refused; should an earlier step arrive later and make it count, the loop takes it in its place.
"""

from datetime import timedelta

from services.tracker.domain.assignments import UnitLookup
from services.tracker.domain.loop import Refusal, step_of
from services.tracker.domain.states import split_key
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.loops import loops_of
from services.tracker.usecases.states import refresh_states
from shared.contracts import LoopEvent
from shared.contracts.loop import CHECKING_STEPS
from shared.domain.calendar import CLOCK_SKEW, ReportWindow


def unknown_assignment(key: str) -> str:
    measure_id, unit = split_key(key)
    return f"措施 {measure_id!r} 没有交办给 {unit!r} 的任务：该措施尚未创建（或仍在途中），或未列出该单位"


async def untimely(tracker: Tracker, events: list[LoopEvent], skew: timedelta) -> dict[str, str]:
    """Why each step whose time lies outside the reporting window (shared/calendar.ReportWindow, from its measure's
    start to now plus the clock skew) may not be kept, by event id: a step dated in year 9999 would stay the latest
    for good, and no later step could follow it."""
    starts = await tracker.repository.measure_starts({event.data.measure_id for event in events})
    return {event.id: reason for event in events if (reason := ReportWindow(
        starts.get(event.data.measure_id), skew=skew).refusal(event.data.at, f"{event.type} 的时间"))}


def misplaced(events: list[LoopEvent], regions: dict[str, str | None]) -> dict[str, str]:
    """Why each step naming another region than its assignment's (`regions`, by key) may not be kept, by event id:
    intake authorises a step by the region it names, so a step for a unit of 临川区 naming 东乡区 would let 东乡区's
    client act on 临川区's assignment."""
    found = {}
    for event in events:
        region = regions.get(event.data.assignment_key)
        if region and event.data.region_code != region:
            found[event.id] = (f"{event.type} 所填区划为 {event.data.region_code}，但 {event.data.unit!r} 在措施 "
                               f"{event.data.measure_id!r} 上的任务属于区划 {region}")
    return found


def unknown_verifiers(events: list[LoopEvent], lookup: UnitLookup, acting_for: str | None = None) -> dict[str, str]:
    """Why each checking step (verify, return, reopen) whose `verifier_unit` the registry does not know, or, with
    `acting_for` (the caller's region, as intake asks), lies outside that region, may not be kept, by event id
    (domain/assignments.UnitLookup.unit_refusal): a mistyped checker would be shown in the timeline as who closed
    the assignment out."""
    return {event.id: f"{event.type}：核查{reason}" for event in events if event.type in CHECKING_STEPS
            and (reason := lookup.unit_refusal(event.data.verifier_unit, acting_for))}


async def record_loop_steps(tracker: Tracker, events: list[LoopEvent], skew: timedelta = CLOCK_SKEW) -> dict[str, str]:
    """Keeps the steps of known assignments (each event id once) and publishes the states they change. Returns why
    each step not counted was not, by event id: its assignment unknown (not kept: the measure may be on its way),
    its region not the assignment's, its verifier unit unknown to the registry or its time outside the reporting
    window (not kept), or the loop's refusal (kept, shown refused in the timeline)."""
    keys = {event.data.assignment_key for event in events}
    regions = await tracker.loops.assigned(keys)
    assigned = keys & regions.keys()
    refused = {event.id: unknown_assignment(event.data.assignment_key) for event in events
               if event.data.assignment_key not in assigned}
    refused |= misplaced([event for event in events if event.id not in refused], regions)
    refused |= unknown_verifiers([event for event in events if event.id not in refused],
                                 await tracker.repository.unit_lookup())
    refused |= await untimely(tracker, [event for event in events if event.id not in refused], skew)
    kept = [event for event in events if event.id not in refused]
    await tracker.loops.add((event.data.assignment_key, step_of(event)) for event in kept)
    loops = await loops_of(tracker, assigned)
    for event in kept:
        if refusal := loops[event.data.assignment_key].refusal_of(event.id):
            refused[event.id] = f"{event.type} 未采纳（{refusal.kind}）：{refusal.reason}"
    await refresh_states(tracker, assigned)
    return refused


async def judgement(tracker: Tracker, event: LoopEvent, acting_for: str | None = None) -> Refusal | None:
    """Whether the loop as the tracker holds it now takes this step (None: it does), judged as if it came now
    (a step already kept under its id is judged as kept); `acting_for`: the region of whoever asks to take it, which
    a checking step's verifier unit must lie in. Raises LookupError for an assignment the tracker does not have.
    Advisory: the step's own arrival decides (record_loop_steps)."""
    key = event.data.assignment_key
    regions = await tracker.loops.assigned([key])
    if key not in regions:
        raise LookupError(unknown_assignment(key))
    lookup = await tracker.repository.unit_lookup()
    if reason := (misplaced([event], regions).get(event.id)
                  or unknown_verifiers([event], lookup, acting_for).get(event.id)
                  or (await untimely(tracker, [event], CLOCK_SKEW)).get(event.id)):
        return Refusal("not_allowed", reason)
    loops = await loops_of(tracker, [key], [(key, step_of(event))])
    return loops[key].refusal_of(event.id)
