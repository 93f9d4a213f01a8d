"""Idempotent, order-independent writes: what makes redelivery and reordering change nothing.

- An insert keyed by event id happens once; a second delivery finds the id and skips it.
- A versioned write replaces a document only with a newer version (see domain/versions.py). It inserts first
  (a new key: the cheapest write); where the key exists (the insert fails on _id) it upserts with `_id` plus
  `version_key < mine`, the same ordering as one string, so whichever of two writers (two trackers, no lock)
  holds the newer version wins. The `_id` index serves both on SecantusDB, so a write costs the same at any
  collection size: the `$or` on time and id it replaces scanned (200 upserts: 1.9 s at 1,000 stored documents,
  18 s at 10,000; by `_id` and `$lt`: 0.06 s at both; bench/pipeline.py measures it). No read is needed first:
  a `_id $in` find on documents that were updated cost SecantusDB more than the failed inserts do.
"""

from collections.abc import Iterable

from pymongo.asynchronous.collection import AsyncCollection

from services.tracker.domain.versions import Version
from shared.database import find_in

DUPLICATE_KEY = 11000
VERSION_KEY = "version_key"  # Version.key of the stored document: what a versioned upsert's filter compares
WRITE_CHUNK = 1000  # items per command, well under the 16 MB message limit


class WriteFailed(Exception):
    pass


async def stored_versions(collection: AsyncCollection, keys: Iterable[str], at_field: str) -> dict[str, Version]:
    cursor = find_in(collection, "_id", keys, projection={at_field: 1, "event_id": 1})
    return {document["_id"]: Version(document[at_field], document["event_id"]) async for document in cursor}


def versioned_upsert(key: str, document: dict, version: Version) -> dict:
    """Sets the document unless the same or a newer version is stored (then the upsert's insert fails on _id,
    harmlessly)."""
    return {"q": {"_id": key, VERSION_KEY: {"$lt": version.key}}, "u": {"$set": {**document, VERSION_KEY: version.key}},
            "upsert": True}


async def write_newest(collection: AsyncCollection, documents: dict[str, tuple[dict, Version]]) -> None:
    """Each document (by its key: the document and its version) unless the same or a newer version is stored.
    At most two unordered commands: an insert of all; then, for the keys that exist, versioned upserts."""
    existing = await write_ignoring_duplicates(collection, "insert", [
        {"_id": key, **document, VERSION_KEY: version.key} for key, (document, version) in documents.items()])
    await write_ignoring_duplicates(collection, "update", [
        versioned_upsert(stored["_id"], *documents[stored["_id"]]) for stored in existing])


async def backfill_version_keys(collection: AsyncCollection, at_field: str) -> None:
    """Documents stored before version_key existed get it, so a versioned upsert's `$lt` can compare them
    (one scan, at start; none once every document has it). One without a time or event id (written by other
    means than these writes) gets the lowest key, "": any version that arrives supersedes it."""
    missing = collection.find({VERSION_KEY: {"$exists": False}}, {at_field: 1, "event_id": 1})
    await write_ignoring_duplicates(collection, "update", [
        {"q": {"_id": d["_id"], VERSION_KEY: {"$exists": False}},
         "u": {"$set": {VERSION_KEY: Version(d[at_field], d["event_id"]).key
                        if d.get(at_field) and d.get("event_id") else ""}}} async for d in missing])


def plain_upsert(key: str, fields: dict) -> dict:
    return {"q": {"_id": key}, "u": {"$set": fields}, "upsert": True}


async def write_ignoring_duplicates(collection: AsyncCollection, command: str, items: list[dict]) -> list[dict]:
    """Unordered insert/update commands; a duplicate key means 'already there' or 'a newer one is there'.
    Returns the items that failed on a duplicate key.

    Raw commands rather than bulk_write, so the reply's write errors are read as the server sent them
    whatever counts it omits (FerretDB 1.x omits them, and PyMongo's bulk_write then fails). A server that
    stops an unordered write at its first error (FerretDB 1.x again) gets whatever followed the last error
    sent again; on MongoDB, which went on, the resend is harmless because every write here is idempotent.
    """
    field = {"insert": "documents", "update": "updates"}[command]
    remaining, duplicates = items, []
    while remaining:
        chunk, rest = remaining[:WRITE_CHUNK], remaining[WRITE_CHUNK:]
        reply = await collection.database.command({command: collection.name, field: chunk, "ordered": False})
        errors = reply.get("writeErrors", [])
        others = [error for error in errors if error["code"] != DUPLICATE_KEY]
        if others or reply.get("writeConcernError"):
            raise WriteFailed(f"{command} {collection.name}: {others or reply['writeConcernError']}")
        duplicates += [chunk[error["index"]] for error in errors]
        after_last_error = max((error["index"] for error in errors), default=len(chunk) - 1) + 1
        remaining = chunk[after_last_error:] + rest
    return duplicates
