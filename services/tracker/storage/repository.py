"""The tracker's state in MongoDB. Every write is idempotent, so a redelivered event changes nothing.

Collections:
- measures: one document per measure, as last published;
- assignments: one per (measure, unit), created from the measure's lead and responsible units;
- progress_reports: every report ever received, keyed by event id (the history, and the idempotency record);
- period_progress: the current report per (measure, unit, period);
- assignment_progress: the current report per (measure, unit), across periods.
"""

from datetime import UTC, datetime

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.tracker.domain.assignments import assignments_for
from services.tracker.domain.reports import ReportVersion, completed_at
from shared.contracts import Measure, ProgressReport
from shared.state import TrackerState


def older_than(version: ReportVersion) -> dict:
    """The stored documents this report supersedes (mirrors ReportVersion's ordering)."""
    return {
        "$or": [
            {"reported_at": {"$lt": version.reported_at}},
            {"reported_at": version.reported_at, "event_id": {"$lt": version.event_id}},
        ]
    }


class TrackerRepository:
    def __init__(self, database: AsyncDatabase):
        self.database = database
        self.measures = database["measures"]
        self.assignments = database["assignments"]
        self.progress_reports = database["progress_reports"]
        self.period_progress = database["period_progress"]
        self.assignment_progress = database["assignment_progress"]

    async def ensure_indexes(self) -> None:
        await self.assignments.create_index("measure_id")
        await self.progress_reports.create_index([("measure_id", 1), ("unit", 1), ("period", 1)])
        await self.assignment_progress.create_index("region_code")

    async def save_measure(self, measure: Measure, event_id: str) -> None:
        now = datetime.now(UTC)
        await self.measures.update_one(
            {"_id": measure.measure_id},
            {"$set": {**measure.model_dump(mode="json"), "event_id": event_id, "updated_at": now}},
            upsert=True,
        )
        writes = [
            UpdateOne(
                {"_id": assignment.key},
                {"$set": {"measure_id": assignment.measure_id, "unit": assignment.unit,
                          "role": assignment.role, "region_code": assignment.region_code}},
                upsert=True,
            )
            for assignment in assignments_for(measure)
        ]
        if writes:
            await self.assignments.bulk_write(writes, ordered=False)

    async def measure_exists(self, measure_id: str) -> bool:
        return await self.measures.count_documents({"_id": measure_id}, limit=1) > 0

    async def save_progress(self, report: ProgressReport, event_id: str) -> None:
        document = {
            **report.model_dump(mode="json", exclude={"reported_at"}),
            "reported_at": report.reported_at,
            "completed_at": completed_at(report),
            "event_id": event_id,
        }
        try:
            await self.progress_reports.insert_one({"_id": event_id, **document})
        except DuplicateKeyError:
            pass  # already in the history; the upserts below are idempotent too
        version = ReportVersion(report.reported_at, event_id)
        for collection, key in ((self.period_progress, report.period_key),
                                (self.assignment_progress, report.assignment_key)):
            try:
                await collection.update_one({"_id": key, **older_than(version)}, {"$set": document}, upsert=True)
            except DuplicateKeyError:
                pass  # a newer report is already current

    async def measure_with_assignments(self, measure_id: str) -> dict | None:
        measure = await self.measures.find_one({"_id": measure_id}, {"_id": 0})
        if measure is not None:
            measure["assignments"] = await TrackerState(self.database).assignments(measure_id=measure_id)
        return measure

    async def reports_for(self, measure_id: str, unit: str) -> list[dict]:
        cursor = self.progress_reports.find({"measure_id": measure_id, "unit": unit}, {"_id": 0})
        return await cursor.sort([("reported_at", 1), ("event_id", 1)]).to_list()

