"""What the tracker's read API shows: assignments joined with their current progress, a unit's assignments, a
unit's report history, the names left unresolved. Joined here in Python: cheap at this size, and no $lookup
(which not every MongoDB-wire server has)."""

from pymongo.asynchronous.database import AsyncDatabase

from services.tracker.storage.writes import VERSION_KEY
from shared.database import find_in
from shared.domain.targets import attainment


def assignment_view(assignment: dict | None, progress: dict | None) -> dict:
    progress = progress or {}
    source = assignment or progress
    return {
        "measure_id": source["measure_id"],
        "unit": source["unit"],
        "unit_name": (assignment or {}).get("unit_name", source["unit"]),
        "role": assignment["role"] if assignment else None,
        # Whether the unit is a registry unit, so `region_code` its own region (else the name as the plan wrote it).
        "resolved": bool((assignment or {}).get("resolved")),
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


class TrackerViews:
    def __init__(self, database: AsyncDatabase):
        self.database = database
        self.measures = database["measures"]
        self.assignments = database["assignments"]
        self.assignment_progress = database["assignment_progress"]
        self.progress_reports = database["progress_reports"]
        self.report_conflicts = database["report_conflicts"]

    async def measure_assignments(self, measure_id: str) -> list[dict]:
        """The measure's assignments with their current progress; units that reported without being named in the
        measure (a collective unit's member) too."""
        query = {"measure_id": measure_id}
        progress = {p["_id"]: p async for p in self.assignment_progress.find(query)}
        views = [assignment_view(a, progress.pop(a["_id"], None)) async for a in self.assignments.find(query)]
        return views + [assignment_view(None, p) for p in progress.values()]

    async def measure_with_assignments(self, measure_id: str) -> dict | None:
        measure = await self.measures.find_one({"_id": measure_id}, {"_id": 0, VERSION_KEY: 0})
        if measure is not None:
            measure["assignments"] = [
                {**assignment, "targets": attainment(measure["targets"], assignment["indicator_values"])}
                for assignment in await self.measure_assignments(measure_id)]
        return measure

    async def measure_exists(self, measure_id: str) -> bool:
        return await self.measures.find_one({"_id": measure_id}, {"_id": 1}) is not None

    async def is_assigned(self, measure_id: str, unit: str) -> bool:
        return await self.assignments.find_one({"measure_id": measure_id, "unit": unit}, {"_id": 1}) is not None

    async def unit_assignments(self, unit: str) -> list[dict]:
        """The unit's assignments with their current progress and their measure's number, title, deadlines and
        targets, in the plans' order (what a unit's ledger is pre-filled with)."""
        progress = {p["_id"]: p async for p in self.assignment_progress.find({"unit": unit})}
        views = [assignment_view(a, progress.get(a["_id"])) async for a in self.assignments.find({"unit": unit})]
        ids = sorted({view["measure_id"] for view in views})
        fields = {"plan_id": 1, "number": 1, "title": 1, "chapter": 1, "deadlines": 1, "targets": 1}
        measures = {m["_id"]: m async for m in find_in(self.measures, "_id", ids, projection=fields)}
        rows = [{**view, **{key: measures.get(view["measure_id"], {}).get(key) for key in fields}} for view in views]
        return sorted(rows, key=lambda r: (r["plan_id"] or "", r["number"] is None, r["number"] or 0, r["measure_id"]))

    async def reports_for(self, measure_id: str, unit: str) -> list[dict]:
        cursor = self.progress_reports.find({"measure_id": measure_id, "unit": unit}, {"_id": 0, "digest": 0})
        return await cursor.sort([("reported_at", 1), ("event_id", 1)]).to_list()

    async def unresolved(self) -> list[dict]:
        """Unit names the registry does not resolve, with the measures naming them and the reports under them."""
        names: dict[str, set[str]] = {}
        async for measure in self.measures.find({"unresolved_units.0": {"$exists": True}}):
            for name in measure["unresolved_units"]:
                names.setdefault(name, set()).add(measure["_id"])
        reported: dict[str, int] = {}
        async for report in self.progress_reports.find({"unresolved_unit": True}, {"unit": 1, "measure_id": 1}):
            names.setdefault(report["unit"], set()).add(report["measure_id"])
            reported[report["unit"]] = reported.get(report["unit"], 0) + 1
        return [{"name": name, "measures": sorted(measures), "reports": reported.get(name, 0)}
                for name, measures in sorted(names.items())]

    async def report_conflict_count(self) -> int:
        return await self.report_conflicts.count_documents({})
