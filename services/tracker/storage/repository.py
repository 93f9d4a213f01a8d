"""The tracker's state in MongoDB. Every write is idempotent, so a redelivered event changes nothing.

Collections:
- measures: one document per measure, its latest publication;
- assignments: one per (measure, unit), created from the measure's lead and responsible units;
- progress_reports: every report ever received, keyed by event id (the history, and the idempotency record);
- period_progress: the current report per (measure, unit, period);
- assignment_progress: the current report per (measure, unit), across periods.
"""

from pymongo.asynchronous.database import AsyncDatabase

from services.tracker.domain.assignments import assignments_for
from services.tracker.domain.reports import completed_at, newest_per_key, version_of
from services.tracker.domain.versions import Version
from services.tracker.storage.writes import (
    existing_ids,
    plain_upsert,
    stored_versions,
    versioned_upsert,
    write_ignoring_duplicates,
)
from shared.contracts import MeasureCreated, ProgressReported
from shared.state import TrackerState


def progress_document(event: ProgressReported) -> dict:
    report = event.data
    return {
        **report.model_dump(mode="json", exclude={"reported_at"}),
        "reported_at": report.reported_at,
        "completed_at": completed_at(report),
        "event_id": event.id,
    }


def measure_document(event: MeasureCreated) -> dict:
    return {**event.data.model_dump(mode="json"), "published_at": event.time, "event_id": event.id}


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
        await self.assignment_progress.create_index("measure_id")

    async def save_measures(self, events: list[MeasureCreated]) -> None:
        """A measure's latest publication wins, by event time then id, whatever the delivery order."""
        newest: dict[str, MeasureCreated] = {}
        for event in events:
            current = newest.get(event.data.measure_id)
            if current is None or Version(event.time, event.id).supersedes(Version(current.time, current.id)):
                newest[event.data.measure_id] = event
        stored = await stored_versions(self.measures, newest, "published_at")
        changed = [e for key, e in newest.items() if Version(e.time, e.id).supersedes(stored.get(key))]
        await write_ignoring_duplicates(self.measures, "update", [
            versioned_upsert(event.data.measure_id, measure_document(event), "published_at") for event in changed])
        await write_ignoring_duplicates(self.assignments, "update", [
            plain_upsert(assignment.key, {"measure_id": assignment.measure_id, "unit": assignment.unit,
                                          "role": assignment.role, "region_code": assignment.region_code})
            for event in changed
            for assignment in assignments_for(event.data)
        ])

    async def known_measures(self, measure_ids: set[str]) -> set[str]:
        return await existing_ids(self.measures, measure_ids)

    async def save_progress(self, events: list[ProgressReported]) -> None:
        """History first (every report, once), then the current report per period and per assignment."""
        seen = await existing_ids(self.progress_reports, (event.id for event in events))
        new = {event.id: event for event in events if event.id not in seen}
        await write_ignoring_duplicates(self.progress_reports, "insert", [
            {"_id": event.id, **progress_document(event)} for event in new.values()])
        for collection, key in ((self.period_progress, lambda r: r.period_key),
                                (self.assignment_progress, lambda r: r.assignment_key)):
            newest = newest_per_key(events, key)
            stored = await stored_versions(collection, newest, "reported_at")
            await write_ignoring_duplicates(collection, "update", [
                versioned_upsert(k, progress_document(event), "reported_at")
                for k, event in newest.items()
                if version_of(event).supersedes(stored.get(k))
            ])

    async def measure_with_assignments(self, measure_id: str) -> dict | None:
        measure = await self.measures.find_one({"_id": measure_id}, {"_id": 0})
        if measure is not None:
            measure["assignments"] = await TrackerState(self.database).assignments(measure_id=measure_id)
        return measure

    async def reports_for(self, measure_id: str, unit: str) -> list[dict]:
        cursor = self.progress_reports.find({"measure_id": measure_id, "unit": unit}, {"_id": 0})
        return await cursor.sort([("reported_at", 1), ("event_id", 1)]).to_list()
