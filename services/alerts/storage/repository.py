"""The alerts' own collections: the open alerts, their history, and the events not published yet (an outbox).

- `open_alerts`: one document per open alert, `_id` the alert's key: the alert as last evaluated, its episode
  (a key cleared and raised again is a new episode), when it opened, its severity changes, acknowledgements.
- `alert_history`: one document per closed episode, `_id` the episode: the same, plus when it closed.
- The outbox: a document's `outbox` holds the CloudEvents its transitions owe (alert-raised and any
  alert-severity-changed on the open alert; those still unsent and alert-cleared on the history entry). A
  transition and its event are written in one single-document write, so a crash after the write leaves the event
  pending, and the next sweep publishes it; `outbox` is removed only after Kafka acknowledged each event (one
  evaluation at a time, so no event is added between publishing and removing). A crash between publishing and
  removing publishes again with the same event ids.

Closing is two writes (insert the history entry, then delete the open alert), each idempotent: the history
entry's `_id` is the episode, so a clear retried after a crash between them finds its entry already written.
"""

from collections.abc import Iterable
from datetime import datetime

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.alerts.domain.alerts import Alert
from shared.regions import within

INDEXED = ("measure_id", "unit", "region_code", "kind", "severity")


class AlertStore:
    def __init__(self, database: AsyncDatabase):
        self.open = database["open_alerts"]
        self.history = database["alert_history"]

    async def ensure_indexes(self) -> None:
        await self.open.create_index("measure_id")
        await self.history.create_index("key")
        await self.history.create_index("closed_at")

    async def open_alerts(self, measure_ids: Iterable[str] | None = None) -> dict[str, dict]:
        query = {} if measure_ids is None else {"measure_id": {"$in": sorted(measure_ids)}}
        return {doc["_id"]: doc async for doc in self.open.find(query)}

    async def open_by_keys(self, keys: Iterable[str]) -> dict[str, dict]:
        return {doc["_id"]: doc async for doc in self.open.find({"_id": {"$in": list(keys)}})}

    async def ever_raised(self, key: str) -> bool:
        """Whether an alert `key` is open or was ever closed."""
        return (await self.open.find_one({"_id": key}, {"_id": 1}) is not None
                or await self.history.find_one({"key": key}, {"_id": 1}) is not None)

    async def raise_alerts(self, raised: list[tuple[Alert, str, dict]], now: datetime) -> None:
        """Each (alert, episode, alert-raised event) opened, with its event pending."""
        if raised:
            await self.open.bulk_write([UpdateOne({"_id": alert.key}, {"$setOnInsert": {
                **fields(alert), "episode": episode, "opened_at": now, "updated_at": now, "severity_changes": [],
                "acknowledgements": [], "outbox": [event]}}, upsert=True) for alert, episode, event in raised],
                ordered=False)

    async def update_alerts(self, updates: list[tuple[Alert, dict, dict | None]], now: datetime) -> None:
        """Each (alert as evaluated now, its stored document, the alert-severity-changed event its severity change
        owes, or None): figures refreshed, a severity change recorded with its event pending."""
        operations = []
        for alert, stored, event in updates:
            change: dict = {"$set": {**fields(alert), "updated_at": now}}
            if event is not None:
                change["$push"] = {"severity_changes": {"at": now, "from": stored["severity"],
                                                        "to": str(alert.severity)}, "outbox": event}
            operations.append(UpdateOne({"_id": alert.key, "episode": stored["episode"]}, change))
        if operations:
            await self.open.bulk_write(operations, ordered=False)

    async def clear_alerts(self, cleared: list[tuple[dict, dict]], now: datetime) -> None:
        """Each (stored open alert, alert-cleared event) moved to the history with its events pending."""
        if not cleared:
            return
        await self.history.bulk_write([UpdateOne({"_id": stored["episode"]}, {"$setOnInsert": {
            **{k: v for k, v in stored.items() if k not in ("_id", "episode", "outbox")},
            "key": stored["_id"], "closed_at": now, "outbox": [*stored.get("outbox", []), event]}}, upsert=True)
            for stored, event in cleared], ordered=False)
        for stored, _ in cleared:
            await self.open.delete_one({"_id": stored["_id"], "episode": stored["episode"]})

    async def pending(self) -> list[tuple[str, str, list[dict]]]:
        """(collection, _id, events) of every document with events not published yet."""
        found = []
        for name, collection in (("open", self.open), ("history", self.history)):
            async for doc in collection.find({"outbox.0": {"$exists": True}}, {"outbox": 1}):
                found.append((name, doc["_id"], doc["outbox"]))
        return found

    async def published(self, collection: str, document_ids: list[str]) -> None:
        """Takes these documents' events off the outbox (every one of them was published)."""
        if document_ids:  # one update per document: faster than update_many with $in on SecantusDB
            await (self.open if collection == "open" else self.history).bulk_write(
                [UpdateOne({"_id": document_id}, {"$unset": {"outbox": ""}}) for document_id in document_ids],
                ordered=False)

    async def acknowledge(self, key: str, acknowledgement: dict) -> dict | None:
        result = await self.open.find_one_and_update(
            {"_id": key}, {"$push": {"acknowledgements": acknowledgement}}, return_document=True)
        return result

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


def fields(alert: Alert) -> dict:
    """The alert as stored: its JSON, and the fields queries filter on at the top level."""
    data = alert.to_json()
    return {"alert": data, **{name: data[name] for name in INDEXED}}
