"""Writes that two alerts processes may make at once: a duplicate key is the other one having written first."""

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000


async def bulk_ignoring_duplicates(collection: AsyncCollection, operations: list) -> None:
    """An unordered bulk write in which an insert (or upsert) that lost the race to insert its `_id` (E11000) is
    no error: the document the winner inserted stays as it is. Any other error raises."""
    if not operations:
        return
    try:
        await collection.bulk_write(operations, ordered=False)
    except BulkWriteError as error:
        others = [e for e in error.details.get("writeErrors", []) if e.get("code") != DUPLICATE_KEY]
        if others or error.details.get("writeConcernErrors"):
            raise
