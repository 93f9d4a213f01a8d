"""Deciding the published state of the assignments a change touched, and writing each new one with its event.

For the keys given (every key a batch touched: its reports' and withdrawals' assignments, a measure's old and new
units, the keys a registry or mapping re-resolved), in rounds until no write is lost:
1. read the stored states (their revisions) FIRST;
2. then read what the states are built from (assignment, current report, periods: repository.state_inputs; the
   supervision loop's steps: usecases/loops.py);
3. build each state (domain/states.py); where it differs from the stored one, write it at revision r+1 with its
   assignment-updated event, on the condition that the key is still at r (storage/states.py).
A write loses only when another writer wrote the key after step 1; that writer read its inputs after its own step
1, so the loser decides again from fresh reads. Every writer of the inputs calls this after writing them, and
reads them here after its own write, so the last state written is built from inputs at least as new as every
write before it: two trackers in one group converge without a lock.
One input is not read again where only added to: a caller that wrote counted reports for some periods (and
nothing else of the key) names them (`added_periods`), and the key's periods are the stored state's (step 1)
plus those. That is the set a read would give: a period leaves period_progress only through usecases/current.py,
whose caller decides with fresh reads after it (so a state written after that removal says so, and ours, built
on it or losing to it, keeps it); every other period is in the stored state it read or among the ones it added.
A key without a stored state, or removed, is read as usual. Reading a city's periods (every unit's months) was
most of the database's time per report batch. A crash between the inputs' write and this
leaves nothing behind: the redelivered batch touches the same keys and decides them again (nothing changed:
nothing written; otherwise the state owed).
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import structlog

from services.tracker.domain.states import next_state
from services.tracker.storage.states import Change
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.loops import loops_of
from shared.contracts.assignments import AssignmentState, AssignmentUpdated

SOURCE = "/duban/tracker"
log = structlog.get_logger()


def updated_event(key: str, revision: int, state: dict, decided_at: datetime) -> dict:
    """assignment-updated for `state` at `revision`: id `<key>#<revision>`, time when the change was decided."""
    event = AssignmentUpdated(id=f"{key}#{revision}", source=SOURCE, time=decided_at, subject=key,
                              data=AssignmentState(**state, revision=revision))
    return event.model_dump(mode="json")


async def refresh_states(tracker: Tracker, keys: Iterable[str],
                         added_periods: Mapping[str, Iterable[str]] | None = None) -> int:
    """Decides the states of these assignment keys again; returns how many changed (one event each).
    `added_periods`: key -> the periods its caller only added counted reports for (see above)."""
    remaining, written, added = sorted(set(keys)), 0, added_periods or {}
    while remaining:
        stored = await tracker.states.load(remaining)
        known = {key: [*stored[key].state["periods_reported"], *added[key]] for key in remaining
                 if key in added and key in stored and not stored[key].state["removed"]}
        inputs = await tracker.repository.state_inputs(remaining, known)
        loops = await loops_of(tracker, remaining)
        decided_at = datetime.now(UTC)
        changes = []
        for key in remaining:
            previous = stored.get(key)
            state = next_state(previous.state if previous else None, *inputs[key], key=key, loop=loops.get(key))
            if state is not None:
                revision = previous.revision + 1 if previous else 1
                changes.append(Change(key, revision, state, updated_event(key, revision, state, decided_at)))
        lost = await tracker.states.write(changes)
        written += len(changes) - len(lost)
        if lost:
            log.info("assignment_states_lost_race", keys=lost[:20], count=len(lost))
        remaining = lost
    if written:
        tracker.states_written()
    return written


async def keys_of_measures(tracker: Tracker, measure_ids: Iterable[str] | None) -> set[str]:
    """Every key whose state may depend on these measures' assignments (every measure's with None): the
    assignments and current reports now, and the states published before (a unit no longer named among them)."""
    measure_ids = None if measure_ids is None else set(measure_ids)
    return await tracker.repository.assignment_keys(measure_ids) | await tracker.states.keys(measure_ids)
