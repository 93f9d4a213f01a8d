"""Read access to the tracker's state, for the tracker's own API and the services that watch it.

The tracker owns the collections (see services/tracker/storage); readers get assignments joined with
their current progress, joined here: the join is cheap at this size and needs no $lookup (which not every
MongoDB-wire server has).
"""

from pymongo.asynchronous.database import AsyncDatabase

from shared.regions import within

# The reports of the history (progress_reports) that count: not withdrawn by an operator, and naming a unit the
# registry knows. Readers of the history (reporting's past days) filter by this, as the tracker's current state does.
COUNTED_REPORTS = {"withdrawn": {"$exists": False}, "unresolved_unit": {"$exists": False}}


def assignment_view(assignment: dict | None, progress: dict | None) -> dict:
    progress = progress or {}
    source = assignment or progress
    return {
        "measure_id": source["measure_id"],
        "unit": source["unit"],
        "unit_name": (assignment or {}).get("unit_name", source["unit"]),
        "role": assignment["role"] if assignment else None,
        # The unit's own region, once it has reported; the issuing region until then.
        "region_code": progress.get("region_code") or source["region_code"],
        "status": progress.get("status", "not_started"),
        "percent_complete": progress.get("percent_complete", 0),
        "period": progress.get("period"),
        "reported_at": progress.get("reported_at"),
        "completed_at": progress.get("completed_at"),
        "narrative": progress.get("narrative", ""),
        "indicator_values": progress.get("indicator_values", {}),
    }


class TrackerState:
    def __init__(self, database: AsyncDatabase):
        self.database = database

    async def region_codes(self) -> set[str] | None:
        """The regions of the latest published registry; None before any."""
        stored = await self.database["registry"].find_one({"_id": "current"})
        return {region["code"] for region in stored["registry"]["regions"]} if stored else None

    async def measures(self, query: dict | None = None) -> dict[str, dict]:
        return {m["_id"]: m async for m in self.database["measures"].find(query or {})}

    async def assignments(self, *, measure_id: str | None = None, region_code: str | None = None) -> list[dict]:
        query = {"measure_id": measure_id} if measure_id else {}
        progress = {p["_id"]: p async for p in self.database["assignment_progress"].find(query)}
        views = [
            assignment_view(a, progress.pop(a["_id"], None))
            async for a in self.database["assignments"].find(query)
        ]
        # Units that reported without being named in the measure (a collective unit's member) still count.
        views += [assignment_view(None, p) for p in progress.values()]
        if region_code:
            views = [v for v in views if within(v["region_code"], region_code)]
        return views
