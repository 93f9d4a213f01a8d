"""Reporting's own collections, fed by the events it consumes; no other service's collection is read or written.

- reporting_measures, `_id` measure_id: each measure's latest publication (measure-created);
- reporting_registry, `_id` "current": the registry's latest publication (registry-published);
- reporting_assignments, `_id` `measure_id|unit`: each assignment's highest revision (assignment-updated);
- reporting_revisions, `_id` report_event_id: each report that was current at some revision, its narrative and
  evidence with it (assignment-updated), marked when withdrawn (progress-withdrawn);
- reporting_open_alerts, `_id` the alert's key: the key's open episode (alert-raised, alert-severity-changed);
- reporting_alert_episodes, `_id` the episode: each closed alert episode (alert-cleared);
- reporting_light_changes, `_id` the event id: every change of an assignment's light (assignment-light-changed),
  the first content of an id kept (domain/lights.py reads the light on any day from them).
- reporting_loop_steps, `_id` the assignment-updated event id: each state of the supervision loop that scoring
  reads (returned_count, closed_out_at), from the events that carry one (assignment-updated).
- reporting_loop_events, `_id` the event id: every step of the supervision loop as its unit or verifier published
  it (assignment-signed, completion-requested, completion-verified, completion-returned, assignment-reopened), with
  who, when and what it carried (narrative, evidence, reason, remark): an item's timeline (domain/timeline.py);
- reporting_urges, `_id` the event id: every urge sent by hand (督办催办, assignment-urged) with who, when, the
  comment, the alert urged and its channels: an item's timeline too.

Every write is conditional and idempotent, so redelivery, reordering across topics and two reporting instances in
one consumer group change nothing twice (what is kept once by id is inserted, a duplicate key meaning kept: an
insert costs SecantusDB a fifth of an upsert):
- measures and the registry keep the latest publication by (event time, event id): `version_key < mine`;
- an assignment keeps its highest revision (`revision < mine`); a `removed` one stays as a tombstone
  (`removed: true`) so an incremental reader learns of the removal; the read model forgets it;
- a loop state, a loop step and an urge are each written once per event id (the same event delivered again changes
  nothing; an id published twice with different content keeps the first);
- a revision is written by the highest revision that carried its report; a progress-withdrawn marks it
  `withdrawn` (before or after the revision arrives: the mark is kept either way);
- an alert is opened unless its episode is already closed or a later episode is open (`opened_at <= mine`);
  a severity change applies to the stored episode only; a clear inserts the episode once and deletes the open
  alert of that episode only.
Every document is stamped `updated_at` (UTC, the writer's clock) when it changes: the read model
(read_model.py) reads only what changed since its last refresh, by that stamp (indexed).
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import (
    AlertNotice,
    AssignmentLightChanged,
    AssignmentUpdated,
    AssignmentUrged,
    LoopEvent,
    MeasureCreated,
    ProgressWithdrawn,
    RegistryPublished,
)
from shared.database import find_in

PREFIX = "reporting_"
NAMES = ("measures", "registry", "assignments", "revisions", "open_alerts", "alert_episodes", "light_changes",
         "loop_steps", "loop_events", "urges")
# The collections an item's timeline reads by (measure_id, unit).
BY_ASSIGNMENT = ("loop_events", "open_alerts", "alert_episodes", "light_changes", "urges")
DUPLICATE_KEY = 11000
WRITE_CHUNK = 1000
# Fields of a report that a revision keeps (the annual report's narratives and evidence, past days' figures).
REPORT_FIELDS = ("measure_id", "unit", "region_code", "period", "status", "percent_complete", "reported_at",
                 "completed_at", "narrative", "evidence", "evidence_files", "indicator_values", "periods_reported")


class WriteFailed(Exception):
    pass


def version_key(time: datetime, event_id: str) -> str:
    """(event time, event id) as one string that sorts as the pair does: the latest publication is the largest."""
    return f"{time.astimezone(UTC).isoformat(timespec='microseconds')}|{event_id}"


def stamped(fields: dict) -> dict:
    return {**fields, "updated_at": datetime.now(UTC)}


async def write(collection: AsyncCollection, command: str, items: list[dict]) -> list[dict]:
    """Unordered insert/update commands in chunks; a duplicate key means 'already there' or 'a newer one is
    there' (a conditional upsert whose filter did not match) and is not an error; any other error raises.
    Returns the items that met a duplicate key."""
    field = {"insert": "documents", "update": "updates", "delete": "deletes"}[command]
    duplicates = []
    for start in range(0, len(items), WRITE_CHUNK):
        chunk = items[start:start + WRITE_CHUNK]
        reply = await collection.database.command({command: collection.name, field: chunk, "ordered": False})
        errors = [error for error in reply.get("writeErrors", []) if error["code"] != DUPLICATE_KEY]
        if errors or reply.get("writeConcernError"):
            raise WriteFailed(f"{collection.name}: {errors or reply['writeConcernError']}")
        duplicates += [chunk[error["index"]] for error in reply.get("writeErrors", [])]
    return duplicates


async def upsert_inserting_first(collection: AsyncCollection, upserts: list[dict]) -> None:
    """Conditional upserts (`{"q": {"_id": key, …condition}, "u": {"$set": fields}, "upsert": True}`) of which most
    name a key not stored yet: each is an insert of `{_id: key, **fields}` (what the upsert would insert), and only
    the keys already stored take the upsert, with its condition. An insert costs SecantusDB a fifth of an upsert
    that inserts through the update path (0.2 against 1.1 ms per document, measured)."""
    taken = {document["_id"] for document in await write(
        collection, "insert", [{"_id": item["q"]["_id"], **item["u"]["$set"]} for item in upserts])}
    await write(collection, "update", [item for item in upserts if item["q"]["_id"] in taken])


class ReportingStore:
    """The collections above on one database (each service may run on its own)."""

    def __init__(self, database: AsyncDatabase):
        self.database = database
        for name in NAMES:
            setattr(self, name, database[PREFIX + name])

    def collections(self) -> dict[str, AsyncCollection]:
        return {name: getattr(self, name) for name in NAMES}

    async def ensure_indexes(self) -> None:
        for collection in self.collections().values():
            await collection.create_index("updated_at")
        await self.revisions.create_index([("measure_id", 1), ("reported_at", 1)])
        await self.revisions.create_index("reported_at")
        for name in BY_ASSIGNMENT:
            await getattr(self, name).create_index([("measure_id", 1), ("unit", 1)])

    # --- writes (one per event type; use cases decide nothing more than which events go in) -------------------
    async def save_measures(self, events: list[MeasureCreated]) -> None:
        await self._latest_publications(self.measures, [
            (event.data.measure_id, event.data.model_dump(mode="json"), event) for event in events])

    async def save_registries(self, events: list[RegistryPublished]) -> None:
        await self._latest_publications(self.registry, [
            ("current", {"registry": event.data.model_dump(mode="json")}, event) for event in events])

    async def _latest_publications(self, collection: AsyncCollection, items: list[tuple[str, dict, object]]) -> None:
        await write(collection, "update", [
            {"q": {"_id": key, "version_key": {"$lt": version_key(event.time, event.id)}},
             "u": {"$set": stamped({**document, "published_at": event.time, "event_id": event.id,
                                    "version_key": version_key(event.time, event.id)})},
             "upsert": True} for key, document, event in items])

    async def save_assignments(self, events: list[AssignmentUpdated]) -> None:
        """Each assignment's highest revision (one write per key and batch); the report each revision carries, if
        any, as a revision of the history."""
        assignments, revisions, steps = {}, [], []
        for event in events:
            state = event.data
            # evidence_files written even when none (the event leaves it out): a revision without files replaces
            # one with them.
            files = [file.model_dump() for file in state.evidence_files]
            whole = {**state.model_dump(mode="python"), "evidence_files": files}
            document = {name: value for name, value in whole.items() if name != "evidence"}
            if state.key not in assignments or assignments[state.key]["u"]["$set"]["revision"] < state.revision:
                assignments[state.key] = {"q": {"_id": state.key, "revision": {"$lt": state.revision}},
                                          "u": {"$set": stamped({**document, "event_id": event.id})}, "upsert": True}
            if state.report_event_id:
                report = {name: whole[name] for name in REPORT_FIELDS}
                revisions.append({"q": {"_id": state.report_event_id, "revision": {"$lt": state.revision}},
                                  "u": {"$set": stamped({**report, "revision": state.revision})}, "upsert": True})
            if state.returned_count or state.closed_out_at:
                steps.append({"_id": event.id, **stamped(loop_step(event))})
        await write(self.assignments, "update", list(assignments.values()))
        # A revision's report is most often new (a report carried for the first time).
        await upsert_inserting_first(self.revisions, revisions)
        await write(self.loop_steps, "insert", steps)

    async def mark_withdrawn(self, events: list[ProgressWithdrawn]) -> None:
        """A withdrawn report's revision is kept, marked, and no longer counted; a mark that comes first waits for
        its revision (revision 0: any revision that carries the report fills the rest in)."""
        await write(self.revisions, "update", [
            {"q": {"_id": event.data.event_id},
             "u": {"$set": stamped({"withdrawn": True, "withdrawn_by": event.data.by}),
                   "$setOnInsert": {"revision": 0}}, "upsert": True} for event in events])

    async def open_alerts_of(self, alerts: list[AlertNotice]) -> None:
        """alert-raised: each key's open alert is the latest episode raised, unless that episode was closed
        already (a redelivery after its clear). Raise and clear come on two topics, so their consumers may run at
        once: the clear records the episode before it deletes, and this re-checks after it writes, so whichever
        runs second removes the open alert. A batch is one read, one write and one read again, whatever its size."""
        closed = await self.closed_episodes(alert.episode for alert in alerts)
        raised = [alert for alert in alerts if alert.episode not in closed]
        await upsert_inserting_first(self.open_alerts, [
            {"q": {"_id": alert.key, "opened_at": {"$lte": alert.opened_at}},
             "u": {"$set": stamped(open_alert_document(alert))}, "upsert": True} for alert in raised])
        closed = await self.closed_episodes(alert.episode for alert in raised)
        await write(self.open_alerts, "delete", [{"q": {"_id": alert.key, "episode": alert.episode}, "limit": 1}
                                                 for alert in raised if alert.episode in closed])

    async def change_severities(self, alerts: list[AlertNotice]) -> None:
        """alert-severity-changed: the open alert of each episode takes the new severity (and the new figures),
        in the order the changes came (the alerts service publishes one key's in order, on one partition)."""
        if alerts:
            await self.open_alerts.bulk_write([UpdateOne({"_id": alert.key, "episode": alert.episode},
                                                         {"$set": stamped(open_alert_document(alert))})
                                               for alert in alerts], ordered=True)

    async def close_alerts(self, alerts: list[AlertNotice]) -> None:
        """alert-cleared: each episode is kept (once), and the key's open alert of that episode goes."""
        await write(self.alert_episodes, "insert", [{"_id": alert.episode, **stamped(
            {"key": alert.key, "kind": alert.kind, "measure_id": alert.measure_id, "unit": alert.unit,
             "region_code": alert.region_code, "opened_at": alert.opened_at,
             "closed_at": alert.closed_at or alert.opened_at, "due": due_of(alert), "severity": alert.severity,
             "reason": alert.reason})} for alert in alerts])
        await write(self.open_alerts, "delete", [{"q": {"_id": alert.key, "episode": alert.episode}, "limit": 1}
                                                 for alert in alerts])

    async def closed_episodes(self, episodes: Iterable[str]) -> set[str]:
        return {document["_id"] async for document in find_in(self.alert_episodes, "_id", episodes,
                                                              projection={"_id": 1})}

    async def save_light_changes(self, events: list[AssignmentLightChanged]) -> None:
        """assignment-light-changed: each change kept once, by its event id."""
        await write(self.light_changes, "insert", [
            {"_id": event.id, **stamped({**event.data.model_dump(mode="json"), "changed_at": event.data.changed_at})}
            for event in events])

    async def save_loop_events(self, events: list[LoopEvent]) -> None:
        """The loop's steps, each kept once by its event id, as published (whether the tracker counted it is the
        tracker's to say: its state comes in assignment-updated)."""
        await write(self.loop_events, "insert", [
            {"_id": event.id, **stamped({"type": event.type, "measure_id": event.data.measure_id,
                                         "unit": event.data.unit, "region_code": event.data.region_code,
                                         "at": event.data.at, "published_at": event.time,
                                         "step": event.data.model_dump(mode="json")})} for event in events])

    async def save_urges(self, events: list[AssignmentUrged]) -> None:
        """assignment-urged: each urge kept once, by its event id, as the alerts service published it."""
        await write(self.urges, "update", [
            {"q": {"_id": event.id}, "u": {"$setOnInsert": stamped(
                {**event.data.model_dump(mode="json"), "urged_at": event.data.urged_at})}, "upsert": True}
            for event in events])

    # --- reads -------------------------------------------------------------------------------------------------
    async def changed(self, name: str, since: datetime | None, projection: dict | None = None) -> list[dict]:
        """The documents of a collection written after `since` (all of them when None)."""
        query = {} if since is None else {"updated_at": {"$gt": since}}
        return await getattr(self, name).find(query, projection, batch_size=10_000).to_list(None)

    async def revisions_counted(self, *, year_start: datetime | None = None, year_end: datetime | None = None,
                                measure_id: str | None = None) -> list[dict]:
        """The revisions not withdrawn (and with a report: a mark alone has none), oldest report first, of a
        time range of reported_at and/or one measure."""
        query: dict = {"withdrawn": {"$ne": True}, "reported_at": {"$ne": None}}
        if year_start is not None:
            query["reported_at"] = {"$gte": year_start, "$lt": year_end}
        if measure_id is not None:
            query["measure_id"] = measure_id
        return await self.revisions.find(query, batch_size=10_000).sort([("reported_at", 1)]).to_list(None)

    async def evidence_of_measure(self, measure_id: str) -> dict[str, list[dict]]:
        """Each assignment's evidence files (references, as the tracker last published them), by unit."""
        return {doc["unit"]: doc.get("evidence_files") or [] async for doc in self.assignments.find(
            {"measure_id": measure_id, "removed": {"$ne": True}}, {"unit": 1, "evidence_files": 1})}

    async def of_assignment(self, measure_id: str, unit: str) -> dict[str, list[dict]]:
        """What an item's timeline is made of (domain/timeline.py), by name: its loop steps (`loop_events`), the
        reports that were current at some revision (`revisions`, withdrawn ones marked), its open alerts and
        closed alert episodes, its light changes, its urges."""
        query = {"measure_id": measure_id, "unit": unit}
        return {name: await getattr(self, name).find(query, {"updated_at": 0}).to_list(None)
                for name in (*BY_ASSIGNMENT, "revisions")}

    async def open_alert_details(self, keys: list[str]) -> dict[str, dict]:
        """The whole open alerts under these keys, as the alerts service published them."""
        return {doc["_id"]: doc["alert"] async for doc in find_in(self.open_alerts, "_id", keys,
                                                                   projection={"alert": 1})}


def loop_step(event: AssignmentUpdated) -> dict:
    """What scoring reads of one assignment-updated event (domain/scoring/score.py: returns and closing out)."""
    state = event.data
    return {"key": state.key, "measure_id": state.measure_id, "unit": state.unit, "revision": state.revision,
            "returned_count": state.returned_count, "closed_out_at": state.closed_out_at, "time": event.time}


def open_alert_document(alert: AlertNotice) -> dict:
    """The fields the read model sorts and counts by at the top, the whole published alert under `alert`."""
    whole = alert.model_dump(mode="json", exclude={"episode", "closed_at", "previous_severity"})
    return {"episode": alert.episode, "kind": alert.kind, "severity": alert.severity, "measure_id": alert.measure_id,
            "unit": alert.unit, "region_code": alert.region_code, "opened_at": alert.opened_at, "due": due_of(alert),
            "alert": whole}


def due_of(alert: AlertNotice) -> str | None:
    """An overdue alert's missed deadline occurrence (its figures' `due`, YYYY-MM-DD), for the overdue lists."""
    due = alert.figures.get("due")
    return due if isinstance(due, str) else None
