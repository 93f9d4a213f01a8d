"""assignment_states: the published state of every assignment, its revision, and the events not published yet.

One document per assignment key `measure_id|unit`:
`{_id: key, measure_id, revision, state: <AssignmentState as JSON without revision>, outbox: [event, …], pending}`.
A change is one conditional single-document write: `{_id: key, revision: r}` -> state, revision r+1, `$push` its
assignment-updated event onto `outbox` (an insert at revision 1 for a new key), so the state and the event owed
for it are written together or not at all, and of two writers deciding from the same revision one wins, the other
sees its write fail and decides again from what is stored (usecases/states.py). `pending` (set with the push) is
what the publisher finds pending documents by (an index serves it; `outbox.0` would scan). Every write of a state
raises its revision and pushes its event, so a document still at the revision it was read at has had nothing
pushed since: once all it held is published, one write empties it (published()).

A state that says `removed` stays as a tombstone: it keeps the revision, so an assignment that comes back (the
measure names the unit again) continues at revision n+1 and its event id `<key>#<revision>` is never reused with
another content.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.tracker.domain.states import View
from services.tracker.storage.writes import DUPLICATE_KEY
from shared.database import find_in


@dataclass(frozen=True)
class StoredState:
    revision: int
    state: View


@dataclass(frozen=True)
class Change:
    """`state` at `revision` (the stored one + 1), with the event that says so."""

    key: str
    revision: int
    state: View
    event: dict


class AssignmentStates:
    def __init__(self, database: AsyncDatabase):
        self.collection = database["assignment_states"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("measure_id")
        await self.collection.create_index("pending", sparse=True)

    async def load(self, keys: Iterable[str]) -> dict[str, StoredState]:
        return {d["_id"]: StoredState(d["revision"], d["state"]) async for d in find_in(
            self.collection, "_id", keys, projection={"revision": 1, "state": 1})}

    async def keys(self, measure_ids: Iterable[str] | None) -> set[str]:
        """The keys of these measures' (every measure's with None) states not removed."""
        return {d["_id"] async for d in find_in(self.collection, "measure_id", measure_ids, {"state.removed": False},
                                                 {"_id": 1})}

    async def write(self, changes: list[Change]) -> list[str]:
        """Each change if its key is still at revision - 1 (absent for revision 1). Returns the keys whose write
        lost to another writer's: decide those again."""
        operations = [InsertOne({"_id": c.key, "measure_id": c.state["measure_id"], "revision": 1, "state": c.state,
                                 "outbox": [c.event], "pending": True}) if c.revision == 1 else
                      UpdateOne({"_id": c.key, "revision": c.revision - 1},
                                {"$set": {"revision": c.revision, "state": c.state, "pending": True},
                                 "$push": {"outbox": c.event}}) for c in changes]
        if not operations:
            return []
        try:
            result = await self.collection.bulk_write(operations, ordered=False)
        except BulkWriteError as error:
            others = [e for e in error.details["writeErrors"] if e["code"] != DUPLICATE_KEY]
            if others:
                raise
            result = None
        if result is not None and result.inserted_count + result.matched_count == len(changes):
            return []
        # Some write matched nothing, or an insert found the key taken: which ones, the stored states say.
        stored = await self.load(c.key for c in changes)
        return [c.key for c in changes if c.key not in stored or stored[c.key] != StoredState(c.revision, c.state)]

    async def everything(self) -> dict[str, StoredState]:
        return {d["_id"]: StoredState(d["revision"], d["state"]) async for d in self.collection.find(
            {}, {"revision": 1, "state": 1})}

    async def overwrite(self, key: str, revision: int, state: View, outbox: list[dict]) -> None:
        """Sets a key's document whatever is stored (the rebuild's database only: no tracker writes there)."""
        await self.collection.replace_one({"_id": key}, {
            "measure_id": state["measure_id"], "revision": revision, "state": state, "outbox": outbox,
            **({"pending": True} if outbox else {})}, upsert=True)

    async def pending(self, limit: int) -> list[tuple[str, int, list[dict]]]:
        """(key, revision, events) of up to `limit` documents with events not published yet."""
        return [(d["_id"], d["revision"], d.get("outbox", [])) async for d in self.collection.find(
            {"pending": True}, {"revision": 1, "outbox": 1}).limit(limit)]

    async def pending_count(self) -> int:
        return await self.collection.count_documents({"pending": True})

    async def published(self, sent: dict[str, list[str]], whole: dict[str, int]) -> None:
        """Takes these events (key -> event ids) off their outboxes. `whole`: the keys whose every pending event
        was sent, each with the revision its document was read at; one still at that revision had nothing pushed
        since, so its outbox is emptied and it stops pending in the same write. Elsewhere only the events sent
        are pulled: an event pushed meanwhile stays, and keeps the document pending."""
        emptied = [UpdateOne({"_id": key, "revision": revision}, {"$set": {"outbox": []}, "$unset": {"pending": ""}})
                   for key, revision in whole.items()]
        pulled = [UpdateOne({"_id": key}, {"$pull": {"outbox": {"id": {"$in": ids}}}})
                  for key, ids in sent.items() if key not in whole]
        if not emptied + pulled:
            return
        result = await self.collection.bulk_write(emptied + pulled, ordered=False)
        if result.matched_count < len(emptied) + len(pulled):
            # A key moved to a newer revision (its event pushed) after it was read: pull what was sent there.
            await self.collection.bulk_write([
                UpdateOne({"_id": key, "revision": {"$gt": revision}}, {"$pull": {"outbox": {"id": {"$in": ids}}}})
                for key, revision in whole.items() if (ids := sent.get(key))], ordered=False)
