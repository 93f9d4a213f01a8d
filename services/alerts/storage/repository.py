"""The alerts' own collections: the open alerts, their history, and the events not published yet (an outbox).

- `open_alerts`: one document per open alert, `_id` the alert's key: the alert as last evaluated, its episode
  (a key cleared and raised again is a new episode), when it opened, its severity changes, acknowledgements, and
  `version` (counts its updates: what an update's filter compares).
- `alert_history`: one document per closed episode, `_id` the episode: the same, plus when it closed.
- `alerts_lights`: one document per assignment lit, `_id` its key `measure_id|unit`: the light last published
  (`light`, `reasons`, `judged_on`, `changed_at`, `measure_id`, `unit`, `region_code`) and `changes`, how many
  times it changed (the n of its last assignment-light-changed, `<key>#light-<n>`).
- The outbox: a document's `outbox` holds the CloudEvents its transitions owe (alert-raised and any
  alert-severity-changed on the open alert; those still unsent and alert-cleared on the history entry;
  assignment-light-changed on the light; assignment-urged on an urge, in `alert_urges`, which
  storage/notifications.py writes). A
  transition and its event are written in one single-document write, so a crash after the write leaves the event
  pending, and the next evaluation publishes it. `pending` (set with every push) is what the publisher finds
  such documents by: a sparse index serves it, where `outbox.0` would scan every open alert. Once all a document
  held is published, one write conditional on its outbox being the one read empties it and drops `pending`;
  where that write finds the document changed, only the events sent are `$pull`ed by id, and it stays pending.

Several alerts processes (and, in one process, the subscribers' evaluations and the sweep) judge and write at
once, with no lock: each transition is a conditional write on what the writer read, so exactly one of two
writers that judged the same change makes it, and only its event enters the outbox:
- raise: an insert keyed by the alert's key: the loser's insert fails on `_id` and writes nothing, so a key has
  one episode and one alert-raised (an insert, not an upsert of `$setOnInsert`: SecantusDB takes it for a fifth
  of the cost);
- update (figures, severity): filtered on the stored episode, severity and `version` read, so a second writer, or
  one that read before another's change, matches nothing; a severity change's event id counts the episode's
  changes (`<episode>.severity-<n>`), which the `version` filter keeps unique;
- clear: the history entry inserted by episode (a retry after a crash, or a second clearer, fails on `_id`),
  then the open alert deleted by episode; an event another writer pushed onto it in between is
  carried to the history's outbox rather than lost;
- light change: the first light an insert on the key, a later one filtered on the `changes` read, so of two
  writers that judged the same change one writes it, with its one event `<key>#light-<n>`.
Two processes may publish the same pending event before either pulls it: it goes out twice with the same id
(at-least-once; consumers drop repeats by id).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pymongo import DeleteOne, InsertOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.alerts.domain.alerts import Alert
from services.alerts.domain.lights import Lit
from services.alerts.storage.writes import bulk_ignoring_duplicates
from shared.database import find_in
from shared.domain.regions import within

INDEXED = ("measure_id", "unit", "region_code", "kind", "severity")


@dataclass(frozen=True)
class Pending:
    """A document with events to publish, as read: its collection (open or history), `_id` and outbox."""

    collection: str
    id: str
    outbox: list[dict]

    def unchanged(self) -> dict:
        """The filter matching the document only while its outbox is the one read: every push adds an event with
        a new id, so nothing was pushed onto it since."""
        return {"_id": self.id, "outbox": self.outbox}


class AlertStore:
    def __init__(self, database: AsyncDatabase):
        self.open = database["open_alerts"]
        self.history = database["alert_history"]
        self.lights = database["alerts_lights"]
        # Where events wait, in the order the publisher reads them: an episode's alert-cleared before a later
        # episode's alert-raised; a light after the alerts it was judged with; the urges (storage/notifications.py).
        self.outboxes = {"history": self.history, "open": self.open, "lights": self.lights,
                         "urges": database["alert_urges"]}

    async def ensure_indexes(self) -> None:
        await self.open.create_index("measure_id")
        await self.history.create_index("key")
        await self.history.create_index("closed_at")
        await self.lights.create_index("measure_id")
        for collection in self.outboxes.values():
            await collection.create_index("pending", sparse=True)

    async def flag_pending(self) -> None:
        """Marks `pending` the documents holding events without it (stored before the flag existed), so the
        publisher finds them; idempotent, and once done it matches nothing."""
        for collection in self.outboxes.values():
            await collection.update_many({"outbox.0": {"$exists": True}, "pending": {"$exists": False}},
                                         {"$set": {"pending": True}})

    async def open_alerts(self, measure_ids: Iterable[str] | None = None,
                          keys: Iterable[str] | None = None) -> dict[str, dict]:
        """The open alerts (of these measures; with `keys`, of those assignments `measure_id|unit` only)."""
        wanted = None if keys is None else set(keys)
        return {doc["_id"]: doc async for doc in find_in(self.open, "measure_id", measure_ids)
                if wanted is None or f"{doc['measure_id']}|{doc['unit']}" in wanted}

    async def open_by_keys(self, keys: Iterable[str]) -> dict[str, dict]:
        return {doc["_id"]: doc async for doc in find_in(self.open, "_id", keys)}

    async def ever_raised(self, key: str) -> bool:
        """Whether an alert `key` is open or was ever closed."""
        return (await self.open.find_one({"_id": key}, {"_id": 1}) is not None
                or await self.history.find_one({"key": key}, {"_id": 1}) is not None)

    async def raise_alerts(self, raised: list[tuple[Alert, str, dict]], at: datetime) -> None:
        """Each (alert, episode, alert-raised event) opened at `at` (the instant judged) with its event pending,
        unless its key is open."""
        await bulk_ignoring_duplicates(self.open, [InsertOne({
            "_id": alert.key, **fields(alert), "episode": episode, "opened_at": at, "updated_at": at,
            "severity_changes": [], "acknowledgements": [], "version": 0, "outbox": [event], "pending": True})
            for alert, episode, event in raised])

    async def update_alerts(self, updates: list[tuple[Alert, dict, dict | None]], at: datetime) -> None:
        """Each (alert as evaluated at `at`, its stored document, the alert-severity-changed event its severity
        change owes, or None): figures refreshed, a severity change recorded with its event pending, if the stored
        document is still the one read (episode, severity, version)."""
        operations = []
        for alert, stored, event in updates:
            change: dict = {"$set": {**fields(alert), "updated_at": at}, "$inc": {"version": 1}}
            if event is not None:
                change["$set"]["pending"] = True
                change["$push"] = {"severity_changes": {"at": at, "from": stored["severity"],
                                                        "to": str(alert.severity)}, "outbox": event}
            operations.append(UpdateOne({"_id": alert.key, "episode": stored["episode"],
                                         "severity": stored["severity"], "version": version_of(stored)}, change))
        if operations:
            await self.open.bulk_write(operations, ordered=False)

    async def clear_alerts(self, cleared: list[tuple[dict, dict, datetime]]) -> None:
        """Each (stored open alert, alert-cleared event, when it closed) moved to the history with its events
        pending."""
        await bulk_ignoring_duplicates(self.history, [InsertOne({
            "_id": stored["episode"],
            **{k: v for k, v in stored.items() if k not in ("_id", "episode", "outbox", "version", "pending")},
            "key": stored["_id"], "closed_at": closed, "outbox": [*stored.get("outbox", []), event], "pending": True})
            for stored, event, closed in cleared])
        # Each open alert goes only as it was read (its episode and outbox); one that another writer pushed an
        # event onto since is read again, the late events go to the history (published from there), and it goes
        # then. One bulk delete and one read: a findAndModify per alert, which would return what it deleted,
        # scans the collection on SecantusDB (3 ms at 300 open alerts, 21 ms at 3,000).
        remaining = {stored["_id"]: stored for stored, *_ in cleared}
        while remaining:
            result = await self.open.bulk_write([DeleteOne({"_id": key, "episode": stored["episode"],
                                                            "outbox": stored.get("outbox", {"$exists": False})})
                                                 for key, stored in remaining.items()], ordered=False)
            if result.deleted_count == len(remaining):
                return
            now = await self.open_by_keys(remaining)
            changed = {key: document for key, document in now.items()
                       if document["episode"] == remaining[key]["episode"]}
            for key, document in changed.items():
                carried = {event["id"] for event in remaining[key].get("outbox", [])}
                if late := [event for event in document.get("outbox", []) if event["id"] not in carried]:
                    await self.history.update_one({"_id": document["episode"]},
                                                  {"$push": {"outbox": {"$each": late}}, "$set": {"pending": True}})
            remaining = changed

    async def pending(self, limit: int) -> list[Pending]:
        """Up to `limit` documents with events not published yet: the history's first (an episode's
        alert-cleared before a later episode's alert-raised), then the open alerts', the lights', the urges'."""
        found: list[Pending] = []
        for name, collection in self.outboxes.items():
            if len(found) < limit:
                found += [Pending(name, doc["_id"], doc.get("outbox", [])) async for doc in
                          collection.find({"pending": True}, {"outbox": 1}).limit(limit - len(found))]
        return found

    async def published(self, sent: dict[str, dict[str, list[str]]], whole: list[Pending]) -> None:
        """Takes the events sent (collection -> document id -> ids of its events Kafka acknowledged) off the
        outboxes. `whole`: the documents whose every event was sent, as read; one unchanged since is emptied and
        stops pending in the same write. Elsewhere, and where that write matched nothing, only the events sent are
        pulled: an event pushed meanwhile stays, and keeps the document pending."""
        emptied = {(doc.collection, doc.id) for doc in whole}
        for name, collection in self.outboxes.items():
            mine = [doc for doc in whole if doc.collection == name]
            ids = sent.get(name, {})
            operations = [UpdateOne(doc.unchanged(), {"$set": {"outbox": []}, "$unset": {"pending": ""}})
                          for doc in mine]
            operations += [UpdateOne({"_id": key}, {"$pull": {"outbox": {"id": {"$in": events}}}})
                           for key, events in ids.items() if (name, key) not in emptied]
            if not operations:
                continue
            result = await collection.bulk_write(operations, ordered=False)
            pulls = [UpdateOne({"_id": doc.id}, {"$pull": {"outbox": {"id": {"$in": events}}}})
                     for doc in mine if (events := ids.get(doc.id))]
            if pulls and result.matched_count < len(operations):  # pushed onto since read (or gone): pull the sent
                await collection.bulk_write(pulls, ordered=False)

    async def stored_lights(self, measure_ids: Iterable[str] | None = None,
                            keys: Iterable[str] | None = None) -> dict[str, dict]:
        """The lights last published (of these measures' assignments; with `keys`, of those only), by assignment
        key: `light`, `changes` and `changed_at` only (a sweep reads every assignment's)."""
        field, values = ("_id", keys) if keys is not None else ("measure_id", measure_ids)
        return {doc["_id"]: doc async for doc in find_in(self.lights, field, values,
                                                         projection={"light": 1, "changes": 1, "changed_at": 1})}

    async def change_lights(self, changes: list[tuple[Lit, dict | None, dict]], at: datetime) -> None:
        """Each (light judged at `at`, the stored light it changes or None for a first one, its
        assignment-light-changed event) written with its event pending, if the stored light is still the one read
        (its `changes`)."""
        operations = []
        for lit, stored, event in changes:
            values = {"measure_id": lit.measure_id, "unit": lit.unit, "region_code": lit.region_code,
                      "light": str(lit.light), "reasons": list(lit.reasons), "judged_on": event["data"]["judged_on"],
                      "changed_at": at, "changes": (stored["changes"] if stored else 0) + 1, "pending": True}
            operations.append(
                InsertOne({"_id": lit.key, **values, "outbox": [event]}) if stored is None else
                UpdateOne({"_id": lit.key, "changes": stored["changes"]}, {"$set": values, "$push": {"outbox": event}}))
        await bulk_ignoring_duplicates(self.lights, operations)

    async def acknowledge(self, key: str, acknowledgement: dict) -> dict | None:
        # A write, then a read (findAndModify scans the collection on SecantusDB: see clear_alerts). The read
        # finds the alert only while it still holds this acknowledgement: cleared (or cleared and raised again)
        # in between, it is no longer the open alert acknowledged, and the answer is None as if it had gone first.
        if not (await self.open.update_one({"_id": key}, {"$push": {"acknowledgements": acknowledgement}})
                ).matched_count:
            return None
        return await self.open.find_one({"_id": key, "acknowledgements": acknowledgement})

    async def closed(self, *, region_code: str | None, unit: str | None, kinds: list[str] | None,
                     severities: list[str] | None) -> list[dict]:
        query: dict = {}
        if unit:
            query["unit"] = unit
        if kinds:
            query["kind"] = {"$in": kinds}
        if severities:
            query["severity"] = {"$in": severities}
        found = await self.history.find(query, {"outbox": 0}).sort([("closed_at", -1), ("_id", 1)]).to_list()
        return [doc for doc in found if not region_code or within(doc["region_code"], region_code)]


def version_of(stored: dict) -> dict | int:
    """The filter on a stored document's `version` (one stored before versions were counted has none)."""
    return stored["version"] if "version" in stored else {"$exists": False}


def fields(alert: Alert) -> dict:
    """The alert as stored: its JSON, and the fields queries filter on at the top level."""
    data = alert.to_json()
    return {"alert": data, **{name: data[name] for name in INDEXED}}
