"""The tracker's state in MongoDB. Every write is idempotent, so a redelivered event changes nothing.

Collections:
- measures: one document per measure, its latest publication, with the unit names left unresolved;
- assignments: one per (measure, unit), from the measure's lead and responsible units as resolved;
- registry: the latest published region and unit registry; unit_mappings: names mapped by operators;
- progress_reports: every report ever received, keyed by event id (the history, and the idempotency record);
- period_progress: the current report per (measure, unit, period);
- assignment_progress: the current report per (measure, unit), across periods.
"""

import asyncio

from pymongo.asynchronous.database import AsyncDatabase

from services.tracker.domain.assignments import UnitLookup, assignments_for
from services.tracker.domain.reports import completed_at, newest_per_key, version_of
from services.tracker.domain.versions import Version
from services.tracker.storage.writes import (
    existing_ids,
    plain_upsert,
    stored_versions,
    versioned_upsert,
    write_ignoring_duplicates,
)
from shared.contracts import (
    Measure,
    MeasureCreated,
    ProgressReport,
    ProgressReported,
    Registry,
    RegistryPublished,
)
from shared.state import TrackerState, assignment_view
from shared.targets import attainment


def progress_document(event: ProgressReported) -> dict:
    report = event.data
    return {
        **report.model_dump(mode="json", exclude={"reported_at"}),
        "reported_at": report.reported_at,
        "completed_at": completed_at(report),
        "event_id": event.id,
    }


def rekeyed(document: dict, unit: str, with_period: bool) -> str:
    report = ProgressReport.model_construct(measure_id=document["measure_id"], unit=unit, period=document["period"])
    return report.period_key if with_period else report.assignment_key


def without_id(document: dict) -> dict:
    return {field: value for field, value in document.items() if field != "_id"}


def measure_document(event: MeasureCreated) -> dict:
    return {**event.data.model_dump(mode="json"), "published_at": event.time, "event_id": event.id}


def publication(event) -> Version:
    return Version(event.time, event.id)


def newest_publication(events: list, key) -> dict:
    """The latest publication per key among these events (by event time, then id)."""
    newest: dict = {}
    for event in events:
        current = newest.get(key(event))
        if current is None or publication(event).supersedes(publication(current)):
            newest[key(event)] = event
    return newest


class TrackerRepository:
    def __init__(self, database: AsyncDatabase):
        self.database = database
        self.measures = database["measures"]
        self.assignments = database["assignments"]
        self.progress_reports = database["progress_reports"]
        self.period_progress = database["period_progress"]
        self.assignment_progress = database["assignment_progress"]
        self.registry = database["registry"]
        self.unit_mappings = database["unit_mappings"]
        # Measures and the registry arrive on different topics, handled concurrently: resolving a measure's
        # units and rewriting its assignments must not interleave with a re-resolution under a new registry.
        self.resolving = asyncio.Lock()

    async def ensure_indexes(self) -> None:
        await self.assignments.create_index("measure_id")
        await self.progress_reports.create_index([("measure_id", 1), ("unit", 1), ("period", 1)])
        await self.assignment_progress.create_index("measure_id")

    async def unit_lookup(self) -> UnitLookup:
        stored = await self.registry.find_one({"_id": "current"})
        registry = Registry.model_validate(stored["registry"]) if stored else None
        mappings = {m["name"]: m["unit_ids"] async for m in self.unit_mappings.find()}
        return UnitLookup(registry, mappings)

    async def save_registry(self, events: list[RegistryPublished]) -> None:
        """The latest registry wins; every measure's assignments are then resolved against it again."""
        [event] = newest_publication(events, lambda e: "current").values()
        stored = await stored_versions(self.registry, ["current"], "published_at")
        if not publication(event).supersedes(stored.get("current")):
            return
        document = {"registry": event.data.model_dump(mode="json"), "published_at": event.time, "event_id": event.id}
        await write_ignoring_duplicates(
            self.registry, "update", [versioned_upsert("current", document, "published_at")])
        await self.resolve_assignments({})

    async def map_unit(self, name: str, unit_ids: list[str]) -> list[str]:
        """Maps a name the registry cannot resolve; the measures that name it are resolved again."""
        await self.unit_mappings.update_one({"_id": name}, {"$set": {"name": name, "unit_ids": unit_ids}}, upsert=True)
        return await self.resolve_assignments({"$or": [{"lead_units": name}, {"responsible_units": name}]})

    async def resolve_assignments(self, measures_query: dict) -> list[str]:
        async with self.resolving:
            lookup = await self.unit_lookup()
            measures = [Measure.model_validate({k: v for k, v in m.items() if k in Measure.model_fields})
                        async for m in self.measures.find(measures_query)]
            await self.write_assignments(measures, lookup)
            await self.rekey_progress(lookup)
        return [measure.measure_id for measure in measures]

    async def rekey_progress(self, lookup: UnitLookup) -> None:
        """Reports applied before the registry (or a mapping) knew their unit are keyed by the name as
        written; key them by the unit id now, so the state does not depend on which arrived first."""
        known = sorted(lookup.units)
        for collection, period in ((self.period_progress, True), (self.assignment_progress, False),
                                   (self.progress_reports, None)):
            moves = []
            async for document in collection.find({"unit": {"$nin": known}}):
                unit = lookup.reporting_unit(document["unit"], document["region_code"])
                if unit != document["unit"]:
                    moves.append((document, unit))
            if period is None:  # the history keeps its event-id keys; only the unit changes
                for (written, region_code), unit in {(d["unit"], d["region_code"]): u for d, u in moves}.items():
                    await collection.update_many({"unit": written, "region_code": region_code},
                                                 {"$set": {"unit": unit}})
                continue
            await write_ignoring_duplicates(collection, "update", [
                versioned_upsert(rekeyed(document, unit, period), {**without_id(document), "unit": unit}, "reported_at")
                for document, unit in moves])
            await collection.delete_many({"_id": {"$in": [document["_id"] for document, _ in moves]}})

    async def write_assignments(self, measures: list[Measure], lookup: UnitLookup) -> None:
        """Callers hold `resolving`, and loaded `lookup` while holding it."""
        for measure in measures:
            assignments, unresolved = assignments_for(measure, lookup)
            await self.measures.update_one({"_id": measure.measure_id}, {"$set": {"unresolved_units": unresolved}})
            await write_ignoring_duplicates(self.assignments, "update", [
                plain_upsert(a.key, {"measure_id": a.measure_id, "unit": a.unit, "unit_name": a.unit_name,
                                     "role": a.role, "region_code": a.region_code, "resolved": a.resolved})
                for a in assignments
            ])
            # A unit no longer named (the measure or the registry changed) is no longer assigned.
            await self.assignments.delete_many(
                {"measure_id": measure.measure_id, "_id": {"$nin": [a.key for a in assignments]}})

    async def save_measures(self, events: list[MeasureCreated]) -> None:
        """A measure's latest publication wins, by event time then id, whatever the delivery order."""
        newest = newest_publication(events, lambda event: event.data.measure_id)
        stored = await stored_versions(self.measures, newest, "published_at")
        changed = [e for key, e in newest.items() if publication(e).supersedes(stored.get(key))]
        async with self.resolving:
            await write_ignoring_duplicates(self.measures, "update", [
                versioned_upsert(event.data.measure_id, measure_document(event), "published_at") for event in changed])
            await self.write_assignments([event.data for event in changed], await self.unit_lookup())

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
            measure["assignments"] = [
                {**assignment, "targets": attainment(measure["targets"], assignment["indicator_values"])}
                for assignment in await TrackerState(self.database).assignments(measure_id=measure_id)
            ]
        return measure

    async def unit_assignments(self, unit: str) -> list[dict]:
        """The unit's assignments with their current progress and their measure's number, title, deadlines and
        targets, in the plans' order (what a unit's ledger is pre-filled with)."""
        progress = {p["_id"]: p async for p in self.assignment_progress.find({"unit": unit})}
        views = [assignment_view(a, progress.get(a["_id"])) async for a in self.assignments.find({"unit": unit})]
        ids = sorted({view["measure_id"] for view in views})
        fields = {"plan_id": 1, "number": 1, "title": 1, "chapter": 1, "deadlines": 1, "targets": 1}
        measures = {m["_id"]: m async for m in self.measures.find({"_id": {"$in": ids}}, fields)}
        rows = [{**view, **{key: measures.get(view["measure_id"], {}).get(key) for key in fields}} for view in views]
        return sorted(rows, key=lambda r: (r["plan_id"] or "", r["number"] is None, r["number"] or 0, r["measure_id"]))

    async def reports_for(self, measure_id: str, unit: str) -> list[dict]:
        cursor = self.progress_reports.find({"measure_id": measure_id, "unit": unit}, {"_id": 0})
        return await cursor.sort([("reported_at", 1), ("event_id", 1)]).to_list()
