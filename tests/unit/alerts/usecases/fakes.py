"""In-memory stand-ins for alerts' stores, with the real ones' conditional writes (storage/inputs.py,
storage/repository.py, the queuing and urges of storage/notifications.py), so the use cases run in milliseconds;
tests/integration/alerts proves the real stores do the same. Every method first yields to the event loop, so two
evaluations run with asyncio.gather interleave at each store call as two processes would on one database."""

import asyncio
import copy
from collections.abc import Iterable
from datetime import date, datetime

from services.alerts.domain.alerts import Alert
from services.alerts.domain.lights import Lit
from services.alerts.notifications.occasions import Occasion, notification_id
from services.alerts.storage.inputs import REGISTRY_ID, newest, publication, view
from services.alerts.storage.repository import Pending, fields
from shared.contracts import AssignmentUpdated, MeasureCreated, RegistryPublished
from shared.domain.regions import within


class FakeInputs:
    def __init__(self):
        self.measure_documents: dict[str, dict] = {}
        self.registry_documents: dict[str, dict] = {}
        self.assignment_documents: dict[str, dict] = {}

    @staticmethod
    def keep_newer(documents: dict, key: str, order: str, mine, document: dict) -> None:
        stored = documents.get(key)
        if stored is None or stored[order] < mine:
            documents[key] = {"_id": key, **document, order: mine}

    async def save_measures(self, events: list[MeasureCreated]) -> None:
        await asyncio.sleep(0)
        for event in newest(events, lambda e: e.data.measure_id, lambda e: publication(e.time, e.id)):
            self.keep_newer(self.measure_documents, event.data.measure_id, "version", publication(event.time, event.id),
                            {**event.data.model_dump(mode="json"), "published_at": event.time, "event_id": event.id})

    async def save_registry(self, events: list[RegistryPublished]) -> None:
        await asyncio.sleep(0)
        for event in newest(events, lambda e: REGISTRY_ID, lambda e: publication(e.time, e.id)):
            self.keep_newer(self.registry_documents, REGISTRY_ID, "version", publication(event.time, event.id),
                            {"registry": event.data.model_dump(mode="json")})

    async def save_assignments(self, events: list[AssignmentUpdated]) -> None:
        await asyncio.sleep(0)
        for event in newest(events, lambda e: e.data.key, lambda e: e.data.revision):
            state = event.data
            document = ({"measure_id": state.measure_id, "unit": state.unit, "removed": True} if state.removed
                        else state.model_dump())
            self.keep_newer(self.assignment_documents, state.key, "revision", state.revision, document)

    async def measures(self, measure_ids: Iterable[str] | None = None) -> dict[str, dict]:
        await asyncio.sleep(0)
        wanted = None if measure_ids is None else set(measure_ids)
        return {k: copy.deepcopy(m) for k, m in self.measure_documents.items() if wanted is None or k in wanted}

    async def assignments(self, *, measure_ids: Iterable[str] | None = None, region_code: str | None = None,
                          keys: Iterable[str] | None = None) -> list[dict]:
        await asyncio.sleep(0)
        wanted = None if measure_ids is None else set(measure_ids)
        views = [view(d) for key, d in sorted(self.assignment_documents.items())
                 if not d.get("removed") and (wanted is None or d["measure_id"] in wanted)
                 and (keys is None or key in keys)]
        return [v for v in views if not region_code or within(v["region_code"], region_code)]

    async def region_codes(self) -> set[str] | None:
        stored = self.registry_documents.get(REGISTRY_ID)
        return {region["code"] for region in stored["registry"]["regions"]} if stored else None


class FakeAlertStore:
    def __init__(self):
        self.open: dict[str, dict] = {}
        self.history: dict[str, dict] = {}
        self.lights: dict[str, dict] = {}
        self.urges: dict[str, dict] = {}  # `alert_urges`, written by FakeNotificationStore: an outbox too

    async def open_alerts(self, measure_ids: Iterable[str] | None = None,
                          keys: Iterable[str] | None = None) -> dict[str, dict]:
        await asyncio.sleep(0)
        wanted = None if measure_ids is None else set(measure_ids)
        return {k: copy.deepcopy(d) for k, d in self.open.items() if (wanted is None or d["measure_id"] in wanted)
                and (keys is None or f"{d['measure_id']}|{d['unit']}" in keys)}

    async def raise_alerts(self, raised: list[tuple[Alert, str, dict]], at: datetime) -> None:
        await asyncio.sleep(0)
        for alert, episode, event in raised:
            self.open.setdefault(alert.key, {
                "_id": alert.key, **fields(alert), "episode": episode, "opened_at": at, "updated_at": at,
                "severity_changes": [], "acknowledgements": [], "version": 0, "outbox": [event], "pending": True})

    async def update_alerts(self, updates: list[tuple[Alert, dict, dict | None]], at: datetime) -> None:
        await asyncio.sleep(0)
        for alert, stored, event in updates:
            current = self.open.get(alert.key)
            if current is None or any(current.get(name) != stored.get(name)
                                      for name in ("episode", "severity", "version")):
                continue
            current.update(fields(alert), updated_at=at, version=current["version"] + 1)
            if event is not None:
                current["severity_changes"].append({"at": at, "from": stored["severity"], "to": str(alert.severity)})
                current["outbox"].append(event)
                current["pending"] = True

    async def clear_alerts(self, cleared: list[tuple[dict, dict, datetime]]) -> None:
        await asyncio.sleep(0)
        for stored, event, closed in cleared:
            self.history.setdefault(stored["episode"], {
                **{k: v for k, v in stored.items() if k not in ("_id", "episode", "outbox", "version", "pending")},
                "_id": stored["episode"], "key": stored["_id"], "closed_at": closed,
                "outbox": [*stored.get("outbox", []), event], "pending": True})
        await asyncio.sleep(0)
        for stored, *_ in cleared:
            current = self.open.get(stored["_id"])
            if current is None or current["episode"] != stored["episode"]:
                continue
            del self.open[stored["_id"]]
            carried = {event["id"] for event in stored.get("outbox", [])}
            if late := [e for e in current["outbox"] if e["id"] not in carried]:
                self.history[stored["episode"]].update(outbox=self.history[stored["episode"]]["outbox"] + late,
                                                       pending=True)

    async def pending(self, limit: int) -> list[Pending]:
        await asyncio.sleep(0)
        found = [Pending(name, key, copy.deepcopy(doc["outbox"]))
                 for name, documents in (("history", self.history), ("open", self.open), ("lights", self.lights),
                                         ("urges", self.urges))
                 for key, doc in documents.items() if doc.get("pending")]
        return found[:limit]

    async def published(self, sent: dict[str, dict[str, list[str]]], whole: list[Pending]) -> None:
        await asyncio.sleep(0)
        emptied = set()
        for doc in whole:
            current = self.documents(doc.collection).get(doc.id)
            if current is not None and current["outbox"] == doc.outbox:
                current["outbox"] = []
                current.pop("pending", None)
                emptied.add((doc.collection, doc.id))
        for collection, by_document in sent.items():
            for key, ids in by_document.items():
                current = self.documents(collection).get(key)
                if current is not None and (collection, key) not in emptied:
                    current["outbox"] = [e for e in current["outbox"] if e["id"] not in ids]

    async def stored_lights(self, measure_ids: Iterable[str] | None = None,
                            keys: Iterable[str] | None = None) -> dict[str, dict]:
        await asyncio.sleep(0)
        wanted = None if measure_ids is None else set(measure_ids)
        return {k: {n: d[n] for n in ("_id", "light", "changes", "changed_at")} for k, d in self.lights.items()
                if (wanted is None or d["measure_id"] in wanted) and (keys is None or k in keys)}

    async def change_lights(self, changes: list[tuple[Lit, dict | None, dict]], at: datetime) -> None:
        await asyncio.sleep(0)
        for lit, stored, event in changes:
            current = self.lights.get(lit.key)
            if (stored is None) != (current is None) or (current and current["changes"] != stored["changes"]):
                continue
            self.lights[lit.key] = {
                "_id": lit.key, "measure_id": lit.measure_id, "unit": lit.unit, "region_code": lit.region_code,
                "light": str(lit.light), "reasons": list(lit.reasons), "judged_on": event["data"]["judged_on"],
                "changed_at": at, "changes": (stored["changes"] if stored else 0) + 1, "pending": True,
                "outbox": [*(current or {}).get("outbox", []), event]}

    def documents(self, collection: str) -> dict[str, dict]:
        return {"open": self.open, "history": self.history, "lights": self.lights, "urges": self.urges}[collection]


class FakeNotificationStore:
    """The channels' regions, the notifications queued (once per alert, channel and day) and the urges, kept in the
    alert store's `urges` as the real stores share `alert_urges`."""

    def __init__(self, channel_regions: dict[str, str], urges: dict[str, dict]):
        self.regions, self.urges, self.notifications = channel_regions, urges, {}

    async def channel_regions(self) -> dict[str, str]:
        await asyncio.sleep(0)
        return dict(self.regions)

    async def queue(self, alert: dict, occasion: Occasion, channel_ids: list[str], day: date, now: datetime,
                    urged_by: str | None = None, comment: str | None = None) -> list[str]:
        await asyncio.sleep(0)
        fresh = [n for n in (notification_id(alert["key"], c, day) for c in channel_ids) if n not in self.notifications]
        self.notifications.update(dict.fromkeys(fresh, {"occasion": str(occasion), "urged_by": urged_by}))
        return fresh

    async def record_urge(self, document: dict) -> dict:
        await asyncio.sleep(0)
        return copy.deepcopy(self.urges.setdefault(document["_id"], copy.deepcopy(document)))
