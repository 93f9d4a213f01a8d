"""What alerts judges from: its own copies of the measures, the registry and the assignments, fed by their events.

No other service's collection is read (each service may run on its own database); these three are written only
by alerts' consumers (usecases/record.py) and a rebuild (usecases/rebuild.py):

- `alerts_measures`: one document per measure, `_id` its id: the measure-created data (JSON), `published_at`
  (the event time), `event_id`, and `version` (see `publication`). The latest publication wins.
- `alerts_registry`: one document, `_id` "current": the registry-published data, `published_at`, `event_id`,
  `version`. The latest publication wins.
- `alerts_assignments`: one document per assignment, `_id` its key `measure_id|unit`: the assignment-updated
  state (AssignmentState, datetimes as BSON dates) with its `revision`. The highest revision wins; a `removed`
  state leaves only a tombstone (`_id`, `measure_id`, `unit`, `revision`, `removed`), which readers skip: the
  assignment is forgotten, and a redelivered older revision cannot bring it back.

Every write is conditional, so two alerts processes (or a redelivery, or events out of order) give the same
result as one in order: `{_id, version: {$lt: mine}}` (or `revision: {$lt: mine}`) upserted; when the stored one
is newer or the same, the upsert's insert fails on `_id`, which is the write declining (storage/writes.py).
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.alerts.storage.writes import bulk_ignoring_duplicates
from shared.contracts import AssignmentUpdated, MeasureCreated, RegistryPublished
from shared.database import find_in
from shared.domain.regions import within

REGISTRY_ID = "current"
# What the Evaluator and the API read of an assignment, from the tracker's assignment-updated.
VIEW_FIELDS = ("measure_id", "unit", "unit_name", "role", "region_code", "assigned", "status", "percent_complete",
               "period", "reported_at", "completed_at", "narrative", "indicator_values", "loop_state", "signed_at",
               "completion_requested_at", "closed_out_at", "returned_count")


def publication(time: datetime, event_id: str) -> str:
    """A publication's order as one string: fixed-width UTC time to the microsecond, then the event id, compared
    byte by byte as MongoDB compares strings (later time first; the same time: the larger id)."""
    return f"{time.astimezone(UTC).isoformat(timespec='microseconds')}|{event_id}"


def view(document: dict) -> dict:
    """A stored assignment in the shape the domain's Evaluator reads (domain/evaluate.py)."""
    return {name: document.get(name) for name in VIEW_FIELDS} | {
        "status": document.get("status") or "not_started", "percent_complete": document.get("percent_complete") or 0,
        "indicator_values": document.get("indicator_values") or {}, "narrative": document.get("narrative") or ""}


class Inputs:
    def __init__(self, database: AsyncDatabase):
        self.measure_documents = database["alerts_measures"]
        self.registry_documents = database["alerts_registry"]
        self.assignment_documents = database["alerts_assignments"]

    async def ensure_indexes(self) -> None:
        await self.assignment_documents.create_index("measure_id")

    async def save_measures(self, events: list[MeasureCreated]) -> None:
        await write_newer(self.measure_documents, "version", [
            (event.data.measure_id, publication(event.time, event.id),
             {**event.data.model_dump(mode="json"), "published_at": event.time, "event_id": event.id})
            for event in newest(events, lambda e: e.data.measure_id, lambda e: publication(e.time, e.id))])

    async def save_registry(self, events: list[RegistryPublished]) -> None:
        await write_newer(self.registry_documents, "version", [
            (REGISTRY_ID, publication(event.time, event.id),
             {"registry": event.data.model_dump(mode="json"), "published_at": event.time, "event_id": event.id})
            for event in newest(events, lambda e: REGISTRY_ID, lambda e: publication(e.time, e.id))])

    async def save_assignments(self, events: list[AssignmentUpdated]) -> None:
        await write_newer(self.assignment_documents, "revision", [
            (event.data.key, event.data.revision,
             {"measure_id": event.data.measure_id, "unit": event.data.unit, "removed": True} if event.data.removed
             else {**event.data.model_dump(), "event_id": event.id})
            for event in newest(events, lambda e: e.data.key, lambda e: e.data.revision)])

    async def measures(self, measure_ids: Iterable[str] | None = None) -> dict[str, dict]:
        return {m["_id"]: m async for m in find_in(self.measure_documents, "_id", measure_ids)}

    async def assignments(self, *, measure_ids: Iterable[str] | None = None, region_code: str | None = None,
                          keys: Iterable[str] | None = None) -> list[dict]:
        """The assignments not removed (of these measures, in this region and below; with `keys`, those assignments
        only), as `view` shapes them."""
        field, values = ("_id", keys) if keys is not None else ("measure_id", measure_ids)
        found = find_in(self.assignment_documents, field, values, {"removed": {"$ne": True}})
        views = [view(document) for document in sorted([d async for d in found], key=lambda d: d["_id"])]
        return [v for v in views if not region_code or within(v["region_code"], region_code)]

    async def region_codes(self) -> set[str] | None:
        """The regions of the latest published registry; None before any."""
        stored = await self.registry_documents.find_one({"_id": REGISTRY_ID})
        return {region["code"] for region in stored["registry"]["regions"]} if stored else None

    async def contacts(self) -> dict[str, dict]:
        """Each unit's contact from the latest published registry (units without one left out)."""
        stored = await self.registry_documents.find_one({"_id": REGISTRY_ID}) or {}
        return {unit["unit_id"]: unit["contact"] for region in (stored.get("registry") or {}).get("regions", [])
                for unit in region.get("units", []) if unit.get("contact")}


def newest(events: list, key: Callable, order: Callable) -> list:
    """The newest event per key among these (one write per key and batch, whatever the delivery order)."""
    found: dict = {}
    for event in events:
        if key(event) not in found or order(event) > order(found[key(event)]):
            found[key(event)] = event
    return list(found.values())


async def write_newer(collection: AsyncCollection, order: str, documents: list[tuple[str, object, dict]]) -> None:
    """Each (key, its order, document) replaces the stored document under `key` unless that one's `order` is the
    same or greater; one unordered bulk write. The filter `{_id, order: {$lt: mine}}` matches nothing then, and the
    upsert's insert fails on `_id`: the write declining, not an error (bulk_ignoring_duplicates)."""
    await bulk_ignoring_duplicates(collection, [
        ReplaceOne({"_id": key, order: {"$lt": mine}}, {**document, order: mine}, upsert=True)
        for key, mine, document in documents])
