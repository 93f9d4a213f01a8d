"""The tracker's state in MongoDB. Every write is idempotent, so a redelivered event changes nothing.

Collections:
- measures: one document per measure, its latest publication, with the unit names left unresolved;
- assignments: one per (measure, unit), from the measure's lead and responsible units as resolved;
- registry: the latest published region and unit registry; unit_mappings: names mapped by operators;
- progress_reports: every report ever received, keyed by event id (the history, and the idempotency record),
  with its content digest; marked `withdrawn` when an operator withdrew it, `unresolved_unit` when it names a
  unit the registry does not know (listed for mapping, not counted: no phantom assignment);
- period_progress: the current report per (measure, unit, period), among the counted ones;
- assignment_progress: the current report per (measure, unit), across periods, among the counted ones;
- report_conflicts: an event id received again with another content: recorded (and logged), the first kept.
"""

import asyncio
from datetime import date

import structlog
from pymongo.asynchronous.database import AsyncDatabase

from services.tracker.domain.assignments import UnitLookup, assignments_for
from services.tracker.domain.reports import completed_at, newest_per_key, version_of
from services.tracker.domain.versions import Version
from services.tracker.storage.writes import (
    VERSION_KEY,
    backfill_version_keys,
    plain_upsert,
    stored_versions,
    write_ignoring_duplicates,
    write_newest,
)
from shared.contracts import (
    Measure,
    MeasureCreated,
    ProgressReport,
    ProgressReported,
    ProgressWithdrawn,
    Registry,
    RegistryPublished,
)
from shared.state import COUNTED_REPORTS, TrackerState, assignment_view
from shared.targets import attainment

log = structlog.get_logger()
# Fields of a history document that are not the report as it is current.
HISTORY_ONLY = ("_id", "digest", "withdrawn", "unresolved_unit")


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


def as_current(history: dict) -> dict:
    return {field: value for field, value in history.items() if field not in HISTORY_ONLY}


def stored_version(document: dict) -> Version:
    return Version(document["reported_at"], document["event_id"])


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
        self.report_conflicts = database["report_conflicts"]
        # Measures and the registry arrive on different topics, handled concurrently: resolving a measure's
        # units and rewriting its assignments must not interleave with a re-resolution under a new registry.
        self.resolving = asyncio.Lock()
        # Reports and withdrawals arrive on different topics: what is current is decided by one at a time.
        self.deciding = asyncio.Lock()

    async def ensure_indexes(self) -> None:
        await self.assignments.create_index("measure_id")
        await self.progress_reports.create_index([("measure_id", 1), ("unit", 1), ("period", 1)])
        await self.assignment_progress.create_index("measure_id")
        for collection, at_field in ((self.period_progress, "reported_at"), (self.assignment_progress, "reported_at"),
                                     (self.measures, "published_at"), (self.registry, "published_at")):
            await backfill_version_keys(collection, at_field)

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
        await write_newest(self.registry, {"current": (document, publication(event))})
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
        """Reports applied before the registry (or a mapping) knew their unit are keyed by the name as written;
        key them by the unit id now, so the state does not depend on which arrived first. A name the registry
        still does not know is marked unresolved and leaves the current state (listed for mapping instead)."""
        known = sorted(lookup.units)
        names = {(d["unit"], d["region_code"]) async for d in self.progress_reports.find(
            {"unit": {"$nin": known}}, {"unit": 1, "region_code": 1})}
        touched: set[tuple[str, str]] = set()
        async with self.deciding:
            for written, region_code in sorted(names):
                unit = lookup.reporting_unit(written, region_code)
                query = {"unit": written, "region_code": region_code}
                if unit != written:
                    change = {"$set": {"unit": unit}, "$unset": {"unresolved_unit": ""}}
                elif lookup.directory is not None:  # only reports not marked yet: each registry looks again
                    query = {**query, "unresolved_unit": {"$exists": False}}
                    change = {"$set": {"unresolved_unit": True}}
                else:
                    continue
                measure_ids = {d["measure_id"] async for d in self.progress_reports.find(query, {"measure_id": 1})}
                touched |= {(measure_id, name) for measure_id in measure_ids for name in (written, unit)}
                await self.progress_reports.update_many(query, change)
            await self.recompute_current(touched)

    async def recompute_current(self, assignments: set[tuple[str, str]]) -> None:
        """The current reports of these (measure, unit) assignments, decided again from their counted history:
        after a withdrawal, or a unit's resolution changed. Callers hold `deciding`."""
        for measure_id, unit in sorted(assignments):
            query = {"measure_id": measure_id, "unit": unit}
            counted = [as_current(d) async for d in self.progress_reports.find({**query, **COUNTED_REPORTS})]
            for collection, with_period in ((self.period_progress, True), (self.assignment_progress, False)):
                newest: dict[str, dict] = {}
                for document in counted:
                    key = rekeyed(document, unit, with_period)
                    if key not in newest or stored_version(document).supersedes(stored_version(newest[key])):
                        newest[key] = document
                await collection.delete_many(query)
                if newest:
                    await collection.insert_many([{"_id": key, **document, VERSION_KEY: stored_version(document).key}
                                                  for key, document in newest.items()])

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
            await write_newest(self.measures, {
                event.data.measure_id: (measure_document(event), publication(event)) for event in changed})
            await self.write_assignments([event.data for event in changed], await self.unit_lookup())

    async def measure_starts(self, measure_ids: set[str]) -> dict[str, date | None]:
        """The start date (None when the plan gives none) of each of these measures that has been created."""
        cursor = self.measures.find({"_id": {"$in": sorted(measure_ids)}}, {"start_date": 1})
        return {m["_id"]: date.fromisoformat(m["start_date"]) if m.get("start_date") else None async for m in cursor}

    async def save_progress(self, events: list[ProgressReported], lookup: UnitLookup | None = None,
                            digests: list[str] | None = None) -> None:
        """History first (every report, once), then the current report per period and per assignment, among the
        reports that count: not withdrawn, and naming a unit the registry knows (when there is a registry).
        `digests` (each event's content_digest, of the report as sent, in the order of `events`) detects an id
        sent again with another content: that is recorded in report_conflicts and logged, the first content kept."""
        lookup = lookup or UnitLookup()
        digested = list(zip(events, digests or [None] * len(events), strict=True))
        async with self.deciding:
            stored = {d["_id"]: d async for d in self.progress_reports.find(
                {"_id": {"$in": sorted({event.id for event in events})}},
                {"digest": 1, "withdrawn": 1, "unresolved_unit": 1})}
            # The first content of an id wins, whether stored before or earlier in this batch.
            kept = {event_id: document.get("digest") for event_id, document in stored.items()}
            new, conflicts = {}, []
            for event, digest in digested:
                if event.id not in kept:
                    kept[event.id], new[event.id] = digest, (event, digest)
                elif None not in (kept[event.id], digest) and kept[event.id] != digest:
                    conflicts.append((event, digest))
            await self.record_conflicts(conflicts, kept)
            unresolved = {event.id for event, _ in new.values()
                          if not lookup.counts(event.data.unit, event.data.region_code)}
            await write_ignoring_duplicates(self.progress_reports, "insert", [
                {"_id": event.id, **progress_document(event), "digest": digest,
                 **({"unresolved_unit": True} if event.id in unresolved else {})} for event, digest in new.values()])
            excluded = unresolved | {event_id for event_id, document in stored.items()
                                     if {"withdrawn", "unresolved_unit"} & document.keys()}
            conflicting = {id(event) for event, _ in conflicts}
            counted = [event for event in events if event.id not in excluded and id(event) not in conflicting]
            for collection, key in ((self.period_progress, lambda r: r.period_key),
                                    (self.assignment_progress, lambda r: r.assignment_key)):
                await write_newest(collection, {k: (progress_document(event), version_of(event))
                                                for k, event in newest_per_key(counted, key).items()})

    async def record_conflicts(self, conflicts: list[tuple[ProgressReported, str]], kept: dict[str, str]) -> None:
        """Same event id, different content (a ledger re-imported with changed rows and no 填报时间): the first is
        kept, each other content recorded once, so the live state and a rebuild agree."""
        for event, digest in conflicts:
            log.warning("event_id_reused_with_other_content", event_id=event.id, kept=kept[event.id], refused=digest)
        await write_ignoring_duplicates(self.report_conflicts, "update", [
            plain_upsert(f"{event.id}|{digest}", {
                "event_id": event.id, "kept_digest": kept[event.id], "refused_digest": digest,
                "measure_id": event.data.measure_id, "unit": event.data.unit, "period": event.data.period})
            for event, digest in conflicts])

    async def withdraw(self, events: list[ProgressWithdrawn]) -> dict[str, str]:
        """Marks each withdrawn report in the history (the first withdrawal of a report is kept) and decides its
        assignment's current reports again. Returns why each withdrawal that could not be applied was not, by
        its event id: its report not received (yet), or a report of another measure, region or period than the
        withdrawal names (it was authorised for the region it names)."""
        refused: dict[str, str] = {}
        async with self.deciding:
            targets = {d["_id"]: d async for d in self.progress_reports.find(
                {"_id": {"$in": sorted({event.data.event_id for event in events})}},
                {"measure_id": 1, "unit": 1, "region_code": 1, "period": 1})}
            touched = set()
            for event in sorted(events, key=lambda e: (e.time, e.id)):
                withdrawal, target = event.data, targets.get(event.data.event_id)
                if target is None:
                    refused[event.id] = f"no report {withdrawal.event_id!r} to withdraw has been received"
                    continue
                named = (withdrawal.measure_id, withdrawal.region_code, withdrawal.period)
                if named != (target["measure_id"], target["region_code"], target["period"]):
                    refused[event.id] = (f"report {withdrawal.event_id!r} is on {target['measure_id']} for "
                                         f"{target['region_code']}, {target['period']}, not on {', '.join(named)}")
                    continue
                await self.progress_reports.update_one(
                    {"_id": withdrawal.event_id, "withdrawn": {"$exists": False}},
                    {"$set": {"withdrawn": {"event_id": event.id, "at": event.time, "by": withdrawal.by,
                                            "reason": withdrawal.reason}}})
                touched.add((target["measure_id"], target["unit"]))
            await self.recompute_current(touched)
        return refused

    async def measure_with_assignments(self, measure_id: str) -> dict | None:
        measure = await self.measures.find_one({"_id": measure_id}, {"_id": 0, VERSION_KEY: 0})
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
        cursor = self.progress_reports.find({"measure_id": measure_id, "unit": unit}, {"_id": 0, "digest": 0})
        return await cursor.sort([("reported_at", 1), ("event_id", 1)]).to_list()
