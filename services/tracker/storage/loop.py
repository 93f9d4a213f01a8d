"""loop_steps: every supervision-loop step the tracker received, once per event id (the first content kept), as
`{_id: event id, key: measure_id|unit, measure_id, type, at, data}`. The loop is decided from them on every read
(domain/loop.py): nothing derived is stored, so two trackers adding steps at once need no condition, and a step
that arrives late (earlier in time) is simply one more in the set.

The measure's lead units, which the loop's rules need, are read from the tracker's own `assignments`.
"""

from collections.abc import Iterable

from pymongo.asynchronous.database import AsyncDatabase

from services.tracker.domain.loop import Step
from services.tracker.domain.states import split_key
from services.tracker.storage.writes import write_ignoring_duplicates
from shared.database import find_in


class LoopSteps:
    def __init__(self, database: AsyncDatabase):
        self.steps = database["loop_steps"]
        self.assignments = database["assignments"]

    async def ensure_indexes(self) -> None:
        await self.steps.create_index("key")

    async def add(self, key_steps: Iterable[tuple[str, Step]]) -> None:
        """Each (assignment key, step), unless its event id is stored already."""
        await write_ignoring_duplicates(self.steps, "insert", [
            {"_id": step.event_id, "key": key, "measure_id": split_key(key)[0], "type": step.type, "at": step.at,
             "data": step.data} for key, step in key_steps])

    async def of(self, keys: Iterable[str]) -> dict[str, list[Step]]:
        """The steps of these assignments (only keys with steps)."""
        found: dict[str, list[Step]] = {}
        async for d in find_in(self.steps, "key", keys):
            found.setdefault(d["key"], []).append(Step(d["type"], d["_id"], d["at"], d["data"]))
        return found

    async def lead_units(self, measure_ids: Iterable[str]) -> dict[str, set[str]]:
        """measure id -> its lead units' keys (registry ids, or names as written)."""
        leads: dict[str, set[str]] = {}
        async for a in find_in(self.assignments, "measure_id", measure_ids, {"role": "lead"},
                               {"measure_id": 1, "unit": 1}):
            leads.setdefault(a["measure_id"], set()).add(a["unit"])
        return leads

    async def assigned(self, keys: Iterable[str]) -> dict[str, str | None]:
        """Each of these keys that is an assignment (the measure names the unit), with its unit's region code (None
        for a unit name not resolved against the registry: its region is not known)."""
        return {a["_id"]: a.get("region_code") if a.get("resolved") else None async for a in find_in(
            self.assignments, "_id", keys, projection={"_id": 1, "region_code": 1, "resolved": 1})}
