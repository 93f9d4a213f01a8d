"""Idempotent, order-independent writes: what makes redelivery and reordering change nothing.

- An insert keyed by event id happens once; a second delivery finds the id and skips it.
- A versioned upsert replaces a document only with a newer version (see domain/versions.py): the batch
  reads the stored versions, sends only what supersedes them, and guards each write with a filter that
  mirrors the same ordering, so a concurrent newer write still wins.
"""

from collections.abc import Iterable
from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection

from services.tracker.domain.versions import Version

DUPLICATE_KEY = 11000
WRITE_CHUNK = 1000  # items per command, well under the 16 MB message limit


class WriteFailed(Exception):
    pass


async def stored_versions(collection: AsyncCollection, keys: Iterable[str], at_field: str) -> dict[str, Version]:
    cursor = collection.find({"_id": {"$in": sorted(set(keys))}}, {at_field: 1, "event_id": 1})
    return {document["_id"]: Version(document[at_field], document["event_id"]) async for document in cursor}


def versioned_upsert(key: str, document: dict, at_field: str) -> dict:
    """Sets the document unless a newer version is stored (then the upsert's insert fails on _id, harmlessly)."""
    at: datetime = document[at_field]
    newer_stored = {"$or": [{at_field: {"$lt": at}}, {at_field: at, "event_id": {"$lt": document["event_id"]}}]}
    return {"q": {"_id": key, **newer_stored}, "u": {"$set": document}, "upsert": True}


def plain_upsert(key: str, fields: dict) -> dict:
    return {"q": {"_id": key}, "u": {"$set": fields}, "upsert": True}


async def write_ignoring_duplicates(collection: AsyncCollection, command: str, items: list[dict]) -> None:
    """Unordered insert/update commands; a duplicate key means 'already there' or 'a newer one is there'.

    Raw commands rather than bulk_write, so the reply's write errors are read as the server sent them
    whatever counts it omits (FerretDB 1.x omits them, and PyMongo's bulk_write then fails). A server that
    stops an unordered write at its first error (FerretDB 1.x again) gets whatever followed the last error
    sent again; on MongoDB, which went on, the resend is harmless because every write here is idempotent.
    """
    field = {"insert": "documents", "update": "updates"}[command]
    remaining = items
    while remaining:
        chunk, rest = remaining[:WRITE_CHUNK], remaining[WRITE_CHUNK:]
        reply = await collection.database.command({command: collection.name, field: chunk, "ordered": False})
        errors = reply.get("writeErrors", [])
        others = [error for error in errors if error["code"] != DUPLICATE_KEY]
        if others or reply.get("writeConcernError"):
            raise WriteFailed(f"{command} {collection.name}: {others or reply['writeConcernError']}")
        after_last_error = max((error["index"] for error in errors), default=len(chunk) - 1) + 1
        remaining = chunk[after_last_error:] + rest
