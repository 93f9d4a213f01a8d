"""Idempotency-Key: a client that retries an HTTP call gets the first call's event id back.

The key is claimed in the database (a unique _id per endpoint and key), with a fingerprint of what the
client sent. A retry with the same body is published again under the same event id, which the tracker
deduplicates, so a first attempt that died before reaching Kafka is still completed; a retry with a
different body is refused, since the key promised the same request.
"""

import hashlib
import json
from datetime import UTC, datetime

from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.contracts import new_event_id


class KeyReused(Exception):
    pass


def fingerprint(body: BaseModel) -> str:
    # Only what the client sent: a defaulted reported_at differs between attempts and says nothing.
    sent = body.model_dump(mode="json", exclude_unset=True)
    return hashlib.sha256(json.dumps(sent, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class IdempotencyKeys:
    def __init__(self, collection: AsyncCollection):
        self.collection = collection

    async def event_id_for(self, scope: str, key: str, body: BaseModel) -> str:
        claim = {"_id": f"{scope}|{key}", "fingerprint": fingerprint(body), "event_id": new_event_id(),
                 "claimed_at": datetime.now(UTC)}
        try:
            await self.collection.insert_one(claim)
            return claim["event_id"]
        except DuplicateKeyError:
            first = await self.collection.find_one({"_id": claim["_id"]})
        if first["fingerprint"] != claim["fingerprint"]:
            raise KeyReused(f"Idempotency-Key {key!r} was used before with a different request body")
        return first["event_id"]
