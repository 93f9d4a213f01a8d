"""Webhook subscriptions and their deliveries, in the alerts' own collections.

- `webhook_subscriptions`: `_id` the subscription id; `region_code`, `url`, `created_at`; `secrets`, current first:
  each `{sealed, expires_at}`, the `whsec_` secret sealed (shared/secrets.py), `expires_at` None or the end of a
  rotated-out secret's grace period. Subscriptions made before Standard Webhooks hold a plain `secret` instead until
  the alerts service migrates them at start (services/alerts/webhooks.py `migrate_secrets`). Secrets are never
  read out of this module except to sign and migrate.
- `webhook_deliveries`: one per (event, subscription), `_id` `<event id>|<subscription id>`, so recording the
  deliveries an event owes twice (after a crash) records them once; `status` pending, delivered or failed, each
  attempt with its time and outcome, `next_attempt_at` while pending. The body is the event as published.
"""

from datetime import datetime

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.alerts.storage.writes import bulk_ignoring_duplicates
from shared.domain.regions import within

HIDDEN = {"secret": 0, "secrets.sealed": 0}


def without_secrets(subscription: dict) -> dict:
    """A subscription read with HIDDEN: its secrets reduced to when each expires (`secrets_expire_at`)."""
    expire_at = [s.get("expires_at") for s in subscription.pop("secrets", [])]
    return {**subscription, "secrets_expire_at": expire_at}


class WebhookStore:
    def __init__(self, database: AsyncDatabase):
        self.subscriptions = database["webhook_subscriptions"]
        self.deliveries = database["webhook_deliveries"]

    async def ensure_indexes(self) -> None:
        await self.deliveries.create_index([("status", 1), ("next_attempt_at", 1)])
        await self.deliveries.create_index("subscription_id")

    async def subscribe(self, document: dict) -> None:
        await self.subscriptions.insert_one(document)

    async def list_subscriptions(self) -> list[dict]:
        return [without_secrets(s) async for s in self.subscriptions.find({}, HIDDEN).sort("created_at", 1)]

    async def subscription(self, subscription_id: str) -> dict | None:
        found = await self.subscriptions.find_one({"_id": subscription_id}, HIDDEN)
        return None if found is None else without_secrets(found)

    async def sealed_secrets(self, subscription_id: str) -> list[dict] | None:
        found = await self.subscriptions.find_one({"_id": subscription_id}, {"secrets": 1})
        return None if found is None else found.get("secrets", [])

    async def all_secrets(self) -> list[dict]:
        return await self.subscriptions.find({}, {"secret": 1, "secrets": 1}).to_list()

    async def replace_secrets(self, subscription_id: str, secrets: list[dict]) -> bool:
        """Stores the subscription's sealed secrets (dropping a plain `secret` of before); False if it is gone."""
        result = await self.subscriptions.update_one(
            {"_id": subscription_id}, {"$set": {"secrets": secrets}, "$unset": {"secret": ""}})
        return result.matched_count == 1

    async def unsubscribe(self, subscription_id: str) -> bool:
        return (await self.subscriptions.delete_one({"_id": subscription_id})).deleted_count == 1

    async def record_deliveries(self, event: dict, region_code: str, now: datetime) -> int:
        """A pending delivery of the event to every subscription whose region contains the alert's region."""
        operations = [
            UpdateOne({"_id": f"{event['id']}|{s['_id']}"}, {"$setOnInsert": {
                "subscription_id": s["_id"], "event_id": event["id"], "event_type": event["type"], "body": event,
                "status": "pending", "attempts": [], "created_at": now, "next_attempt_at": now}}, upsert=True)
            async for s in self.subscriptions.find({}, {"region_code": 1})
            if within(region_code, s["region_code"])
        ]
        await bulk_ignoring_duplicates(self.deliveries, operations)  # two alerts processes published the event
        return len(operations)

    async def due(self, now: datetime, limit: int) -> list[dict]:
        return await self.deliveries.find({"status": "pending", "next_attempt_at": {"$lte": now}}).sort(
            "next_attempt_at", 1).limit(limit).to_list()

    async def secrets(self, subscription_ids: list[str]) -> dict[str, dict]:
        return {s["_id"]: s async for s in self.subscriptions.find({"_id": {"$in": subscription_ids}})}

    async def attempted(self, delivery_id: str, attempt: dict, status: str, next_attempt_at: datetime | None) -> None:
        await self.deliveries.update_one(
            {"_id": delivery_id},
            {"$push": {"attempts": attempt}, "$set": {"status": status, "next_attempt_at": next_attempt_at}})

    async def deliveries_of(self, subscription_id: str) -> list[dict]:
        return await self.deliveries.find({"subscription_id": subscription_id}, {"body": 0}).sort(
            "created_at", 1).to_list()
