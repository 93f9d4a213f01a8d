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
from pymongo.errors import BulkWriteError

from shared.contracts import new_event_id
from shared.database import find_in

DUPLICATE_KEY = 11000  # the server's error code for a unique _id already taken


class KeyReused(Exception):
    def __init__(self, key: str):
        super().__init__(f"Idempotency-Key {key!r} 已用于另一份内容不同的请求")


def fingerprint(body: BaseModel) -> str:
    # Only what the client sent: a defaulted reported_at differs between attempts and says nothing.
    sent = body.model_dump(mode="json", exclude_unset=True)
    return hashlib.sha256(json.dumps(sent, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class IdempotencyKeys:
    def __init__(self, collection: AsyncCollection):
        self.collection = collection

    async def event_id_for(self, scope: str, key: str, body: BaseModel) -> str:
        """The event id of the first request with this key. Raises KeyReused when that came with another body."""
        outcome = (await self.event_ids_for(scope, {key: body}))[key]
        if isinstance(outcome, KeyReused):
            raise outcome
        return outcome

    async def event_ids_for(self, scope: str, bodies: dict[str, BaseModel]) -> dict[str, str | KeyReused]:
        """For each key of `bodies`, what event_id_for answers (KeyReused returned, not raised), in two queries
        whatever their number: one insert of every claim, one read of the keys claimed before (a batch's
        reports were claimed one by one: 500 round trips). Raises pymongo's errors other than a taken key."""
        if not bodies:
            return {}
        sent = {key: fingerprint(body) for key, body in bodies.items()}
        now = datetime.now(UTC)
        claims = [{"_id": f"{scope}|{key}", "fingerprint": sent[key], "event_id": new_event_id(), "claimed_at": now}
                  for key in bodies]
        held = {claim["_id"]: claim for claim in claims}
        try:
            await self.collection.insert_many(claims, ordered=False)
        except BulkWriteError as error:
            failures = error.details["writeErrors"]
            if error.details.get("writeConcernErrors") or any(f["code"] != DUPLICATE_KEY for f in failures):
                raise
            taken = [claims[failure["index"]]["_id"] for failure in failures]
            async for first in find_in(self.collection, "_id", taken):
                held[first["_id"]] = first
        outcomes: dict[str, str | KeyReused] = {}
        for key in bodies:
            first = held[f"{scope}|{key}"]
            outcomes[key] = first["event_id"] if first["fingerprint"] == sent[key] else KeyReused(key)
        return outcomes
