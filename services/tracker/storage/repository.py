"""The tracker's collections in MongoDB: it stores and loads; what to write is decided in usecases/.

Collections:
- measures: one document per measure, its latest publication, with the unit names left unresolved;
- assignments: one per (measure, unit), from the measure's lead and responsible units as resolved;
- registry: the latest published region and unit registry; unit_mappings: names mapped by operators;
- progress_reports: every report ever received, keyed by event id (the history, and the idempotency record),
  with its content digest; marked `withdrawn` when an operator withdrew it, `unresolved_unit` when it names a
  unit the registry does not know (listed for mapping, not counted: no phantom assignment);
- period_progress: the current report per (measure, unit, period), among the counted ones;
- assignment_progress: the current report per (measure, unit), across periods, among the counted ones;
- report_conflicts: an event id received again with another content: recorded (and logged), the first kept;
- assignment_states: the published state of each assignment (storage/states.py).

Every write is idempotent or conditional (writes.py; compare-and-set on a version key below), so two trackers
writing at once, or a redelivered batch, leave the same state: nothing here relies on an in-process lock.
"""

import asyncio
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date

from pymongo.asynchronous.database import AsyncDatabase

from services.tracker.domain.assignments import Assignment, UnitLookup
from services.tracker.domain.reports import completed_at, version_of
from services.tracker.domain.states import CurrentReport, split_key
from services.tracker.domain.versions import Version, publication
from services.tracker.storage.writes import (
    DUPLICATE_KEY,
    VERSION_KEY,
    backfill_version_keys,
    plain_upsert,
    stored_versions,
    write_ignoring_duplicates,
    write_newest,
)
from shared.contracts import Measure, MeasureCreated, ProgressReport, ProgressReported, Registry, RegistryPublished
from shared.database import find_in

# The reports of the history that count: not withdrawn by an operator, and naming a unit the registry knows.
COUNTED_REPORTS = {"withdrawn": {"$exists": False}, "unresolved_unit": {"$exists": False}}
# Fields of a history document that are not the report as it is current.
HISTORY_ONLY = ("_id", "digest", "withdrawn", "unresolved_unit")
CURRENT_COLLECTIONS = ("period_progress", "assignment_progress")


def progress_document(event: ProgressReported) -> dict:
    report = event.data
    return {
        **report.model_dump(mode="json", exclude={"reported_at"}),
        "reported_at": report.reported_at,
        "completed_at": completed_at(report),
        "event_id": event.id,
    }


def as_current(history: dict) -> dict:
    return {field: value for field, value in history.items() if field not in HISTORY_ONLY}


def stored_version(document: dict) -> Version:
    return Version(document["reported_at"], document["event_id"])


def current_key(document: dict, collection: str) -> str:
    """A current report's key in its collection: `measure|unit|period` or `measure|unit`."""
    report = ProgressReport.model_construct(measure_id=document["measure_id"], unit=document["unit"],
                                            period=document["period"])
    return report.period_key if collection == "period_progress" else report.assignment_key


def current_report(document: dict) -> CurrentReport:
    report = ProgressReport.model_validate({k: v for k, v in document.items() if k in ProgressReport.model_fields})
    return CurrentReport(report, document["event_id"])


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
        self.report_conflicts = database["report_conflicts"]
        self.lookup: UnitLookup | None = None  # the last unit_lookup() built

    async def ensure_indexes(self) -> None:
        await self.assignments.create_index("measure_id")
        await self.progress_reports.create_index([("measure_id", 1), ("unit", 1), ("period", 1)])
        await self.progress_reports.create_index("unresolved_unit", sparse=True)
        await self.assignment_progress.create_index("measure_id")
        await self.period_progress.create_index([("measure_id", 1), ("unit", 1)])
        for collection, at_field in ((self.period_progress, "reported_at"), (self.assignment_progress, "reported_at"),
                                     (self.measures, "published_at"), (self.registry, "published_at")):
            await backfill_version_keys(collection, at_field)

    # The registry and the operators' mappings.

    async def unit_lookup(self) -> UnitLookup:
        """The registry and mappings as stored now, stamped (UnitLookup.stamp) with what they were read from. The
        lookup built last is kept and given again while the stamp is unchanged: every batch of reports asks for
        it, and reading and indexing a city's registry cost more than the rest of a small batch's work."""
        stamp = await self.lookup_stamp()
        if self.lookup is not None and self.lookup.stamp == stamp:
            return self.lookup
        stored = await self.registry.find_one({"_id": "current"})
        registry = Registry.model_validate(stored["registry"]) if stored else None
        mappings = {m["name"]: m["unit_ids"] async for m in self.unit_mappings.find()}
        self.lookup = UnitLookup(registry, mappings, stamp=lookup_stamp(stored, mappings))
        return self.lookup

    async def lookup_stamp(self) -> str:
        """The stamp unit_lookup() would give now, reading only versions: has the registry or a mapping changed?"""
        stored = await self.registry.find_one({"_id": "current"}, {VERSION_KEY: 1})
        return lookup_stamp(stored, {m["name"]: m["unit_ids"] async for m in self.unit_mappings.find()})

    async def registry_version(self) -> Version | None:
        return (await stored_versions(self.registry, ["current"], "published_at")).get("current")

    async def save_registry(self, event: RegistryPublished) -> None:
        """Stores this publication unless the same or a newer one is stored."""
        document = {"registry": event.data.model_dump(mode="json"), "published_at": event.time, "event_id": event.id}
        await write_newest(self.registry, {"current": (document, publication(event))})

    async def save_mapping(self, name: str, unit_ids: list[str]) -> None:
        await self.unit_mappings.update_one({"_id": name}, {"$set": {"name": name, "unit_ids": unit_ids}}, upsert=True)

    # Measures and their assignments.

    async def measure_versions(self, measure_ids: Iterable[str]) -> dict[str, Version]:
        return await stored_versions(self.measures, measure_ids, "published_at")

    async def save_measures(self, events: list[MeasureCreated]) -> None:
        """Each publication unless the same or a newer one of its measure is stored."""
        await write_newest(self.measures, {
            event.data.measure_id: ({**event.data.model_dump(mode="json"), "published_at": event.time,
                                     "event_id": event.id}, publication(event)) for event in events})

    async def load_measures(self, query: dict) -> dict[str, tuple[Measure, str]]:
        """The measures matching `query`, each with its stored version key (what a later check compares)."""
        return {m["_id"]: (Measure.model_validate({k: v for k, v in m.items() if k in Measure.model_fields}),
                           m.get(VERSION_KEY, "")) async for m in self.measures.find(query)}

    async def measure_version_keys(self, measure_ids: Iterable[str]) -> dict[str, str]:
        return {m["_id"]: m.get(VERSION_KEY, "") async for m in find_in(
            self.measures, "_id", measure_ids, projection={VERSION_KEY: 1})}

    async def measure_ids_naming(self, name: str) -> list[str]:
        return [m["_id"] async for m in self.measures.find(
            {"$or": [{"lead_units": name}, {"responsible_units": name}]}, {"_id": 1})]

    async def measure_starts(self, measure_ids: set[str]) -> dict[str, date | None]:
        """The start date (None when the plan gives none) of each of these measures that has been created."""
        cursor = find_in(self.measures, "_id", measure_ids, projection={"start_date": 1})
        return {m["_id"]: date.fromisoformat(m["start_date"]) if m.get("start_date") else None async for m in cursor}

    async def replace_assignments(self, measure_id: str, assignments: list[Assignment], unresolved: list[str]) -> None:
        """The measure's assignments become exactly these (a unit no longer named is no longer assigned)."""
        await self.measures.update_one({"_id": measure_id}, {"$set": {"unresolved_units": unresolved}})
        await write_ignoring_duplicates(self.assignments, "update", [
            plain_upsert(a.key, {"measure_id": a.measure_id, "unit": a.unit, "unit_name": a.unit_name,
                                 "role": a.role, "region_code": a.region_code, "resolved": a.resolved})
            for a in assignments])
        await self.assignments.delete_many({"measure_id": measure_id, "_id": {"$nin": [a.key for a in assignments]}})

    async def assignment_keys(self, measure_ids: Iterable[str] | None) -> set[str]:
        """The keys of these measures' assignments and current reports (every measure's with None)."""
        ids = None if measure_ids is None else set(measure_ids)  # read twice below
        return ({a["_id"] async for a in find_in(self.assignments, "measure_id", ids, projection={"_id": 1})}
                | {p["_id"] async for p in find_in(self.assignment_progress, "measure_id", ids, projection={"_id": 1})})

    # The history of reports.

    async def stored_reports(self, event_ids: Iterable[str]) -> dict[str, dict]:
        """What the history holds of these event ids: digest and marks."""
        return {d["_id"]: d async for d in find_in(self.progress_reports, "_id", event_ids, projection={
            "digest": 1, "withdrawn": 1, "unresolved_unit": 1, "measure_id": 1, "unit": 1, "region_code": 1,
            "period": 1})}

    async def add_reports(self, reports: list[tuple[ProgressReported, str | None, bool]]) -> None:
        """Each (event, content digest, unresolved) into the history, once per event id."""
        await write_ignoring_duplicates(self.progress_reports, "insert", [
            {"_id": event.id, **progress_document(event), "digest": digest,
             **({"unresolved_unit": True} if unresolved else {})} for event, digest, unresolved in reports])

    async def record_conflicts(self, conflicts: list[tuple[ProgressReported, str, str]]) -> None:
        """Each (event, kept digest, refused digest), recorded once."""
        await write_ignoring_duplicates(self.report_conflicts, "update", [
            plain_upsert(f"{event.id}|{refused}", {
                "event_id": event.id, "kept_digest": kept, "refused_digest": refused,
                "measure_id": event.data.measure_id, "unit": event.data.unit, "period": event.data.period})
            for event, kept, refused in conflicts])

    async def mark_withdrawn(self, report_id: str, withdrawal: dict) -> None:
        """The first withdrawal of a report is kept."""
        await self.progress_reports.update_one({"_id": report_id, "withdrawn": {"$exists": False}},
                                               {"$set": {"withdrawn": withdrawal}})

    async def report_units_to_resolve(self, known: Iterable[str]) -> dict[tuple[str, str], set[bool]]:
        """(unit, region_code) of the reports under a name the registry does not know, or marked unresolved, each
        with the marks they carry (True: unresolved)."""
        found: dict[tuple[str, str], set[bool]] = {}
        for query in ({"unit": {"$nin": sorted(known)}}, {"unresolved_unit": True}):
            async for d in self.progress_reports.find(query, {"unit": 1, "region_code": 1, "unresolved_unit": 1}):
                found.setdefault((d["unit"], d["region_code"]), set()).add(bool(d.get("unresolved_unit")))
        return found

    async def set_report_unit(self, written: str, region_code: str, unit: str, counted: bool) -> set[str]:
        """The reports of `written` in `region_code` put under `unit`, counted or not; returns their measures."""
        query = {"unit": written, "region_code": region_code}
        measure_ids = {d["measure_id"] async for d in self.progress_reports.find(query, {"measure_id": 1})}
        change = ({"$set": {"unit": unit}, "$unset": {"unresolved_unit": ""}} if counted
                  else {"$set": {"unit": unit, "unresolved_unit": True}})
        await self.progress_reports.update_many(query, change)
        return measure_ids

    async def counted_history(self, measure_id: str, unit: str) -> list[dict]:
        """The assignment's counted reports, as current documents (history-only fields dropped)."""
        return [as_current(d) async for d in self.progress_reports.find(
            {"measure_id": measure_id, "unit": unit, **COUNTED_REPORTS})]

    # The current reports.

    async def write_current(self, collection: str, reports: dict[str, ProgressReported]) -> None:
        """Each report current under its key unless the same or a newer one is stored there (a write that only
        moves to newer reports: safe beside any other writer)."""
        await write_newest(self.database[collection], {
            key: (progress_document(event), version_of(event)) for key, event in reports.items()})

    async def current_documents(self, measure_id: str, unit: str) -> dict[str, dict[str, dict]]:
        """collection -> key -> the stored current report of this assignment (with its version key)."""
        query = {"measure_id": measure_id, "unit": unit}
        return {name: {d["_id"]: d async for d in self.database[name].find(query)} for name in CURRENT_COLLECTIONS}

    async def compare_and_set_current(self, collection: str, key: str, seen: dict | None,
                                      document: dict | None) -> bool:
        """Replaces (or deletes, `document` None) the current report under `key` only if it is still `seen`
        (by version key; absent when `seen` is None). False when another writer changed it first."""
        target = self.database[collection]
        if seen is None:
            if document is None:
                return await target.find_one({"_id": key}, {"_id": 1}) is None
            reply = await target.database.command({"insert": target.name, "documents": [
                {"_id": key, **document, VERSION_KEY: stored_version(document).key}], "ordered": False})
            errors = reply.get("writeErrors", [])
            if errors and errors[0]["code"] != DUPLICATE_KEY:
                raise RuntimeError(f"insert {target.name}: {errors}")
            return not errors
        condition = {"_id": key, VERSION_KEY: seen.get(VERSION_KEY)}
        if document is None:
            return (await target.delete_one(condition)).deleted_count == 1
        replacement = {**document, VERSION_KEY: stored_version(document).key}
        return (await target.replace_one(condition, replacement)).matched_count == 1

    async def state_inputs(self, keys: list[str], periods: Mapping[str, Iterable[str]] | None = None
                           ) -> dict[str, tuple[Assignment | None, CurrentReport | None, list[str]]]:
        """What each assignment's published state is built from: its assignment, current report, and the periods
        with a counted report (those of its period_progress documents; for a key in `periods`, those given)."""
        wanted, given = sorted(set(keys)), periods or {}
        assignments = {a["_id"]: Assignment(**{k: v for k, v in a.items() if k != "_id"})
                       async for a in find_in(self.assignments, "_id", wanted)}
        current = {p["_id"]: current_report(p) async for p in find_in(self.assignment_progress, "_id", wanted)}
        units: dict[str, set[str]] = {}
        for key in wanted:
            if key not in given:
                measure_id, unit = split_key(key)
                units.setdefault(measure_id, set()).add(unit)
        # One query per measure (its units by $in): the (measure_id, unit) index serves that, where a `measure_id
        # $in` alone reads every period of every unit of those measures, and an `$or` of pairs is not served at all.
        found_periods: dict[str, list[str]] = {key: list(found) for key, found in given.items()}
        for found in await asyncio.gather(*(self.periods_of(measure_id, sorted(names))
                                            for measure_id, names in units.items())):
            for key, period in found:
                found_periods.setdefault(key, []).append(period)
        return {key: (assignments.get(key), current.get(key), found_periods.get(key, [])) for key in wanted}

    async def periods_of(self, measure_id: str, units: list[str]) -> list[tuple[str, str]]:
        """(assignment key, period) of these units' current reports per period in this measure."""
        return [(f"{p['measure_id']}|{p['unit']}", p["period"]) async for p in find_in(
            self.period_progress, "unit", units, {"measure_id": measure_id}, {"measure_id": 1, "unit": 1, "period": 1})]


def lookup_stamp(registry: dict | None, mappings: dict[str, list[str]]) -> str:
    """The registry's version key and a digest of the mappings: equal stamps, equal lookups."""
    digest = hashlib.sha256(json.dumps(sorted(mappings.items()), ensure_ascii=False).encode()).hexdigest()[:16]
    return f"{(registry or {}).get(VERSION_KEY, '')}#{digest}"
