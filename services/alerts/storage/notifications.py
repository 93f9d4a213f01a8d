"""Notification channels, the notifications they owe and the urges, in alerts' own collections (unit contacts come
from alerts' copy of the registry: storage/inputs.py).

- `notification_channels`: `_id`, `region_code` (alerts of this region and below), `kind` (wecom, dingtalk,
  aliyun_sms), `name`, `endpoint`, `format`, `options` (SMS sign name, template code), `sealed` (the credentials,
  Fernet-encrypted: see secrets.py), `created_at`.
- `notifications`: `_id` `<alert key>|<channel id>|<China day>` (occasions.notification_id): inserted only if
  absent, so the day's second reminder of an alert on a channel is the first one. `occasion`, the `alert` as it
  was, `urged_by`/`comment` for an urge, `status` pending/delivered/failed, `attempts`, `next_attempt_at`.
- `alert_urges`: every urge, `_id` its stable id (usecases/urges.py): the alert key, region, who, when, the China
  day, the comment, the channels it queued notifications for and those that had already notified the unit that day,
  and its assignment-urged event until published (`outbox`, `pending`: storage/repository.py publishes from it).
"""

from datetime import date, datetime

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.alerts.notifications.occasions import Occasion, notification_id
from shared.domain.regions import within


def covering(channel_regions: dict[str, str], region_code: str) -> list[str]:
    """The channels whose region contains the region (a county's alert reaches the city's channels too)."""
    return [channel for channel, region in channel_regions.items() if within(region_code, region)]


class NotificationStore:
    def __init__(self, database: AsyncDatabase):
        self.channels = database["notification_channels"]
        self.notifications = database["notifications"]
        self.urges = database["alert_urges"]

    async def ensure_indexes(self) -> None:
        await self.notifications.create_index([("status", 1), ("next_attempt_at", 1)])
        await self.notifications.create_index("channel_id")
        await self.urges.create_index("alert_key")

    async def add_channel(self, document: dict) -> None:
        await self.channels.insert_one(document)

    async def list_channels(self, region_code: str | None = None) -> list[dict]:
        found = await self.channels.find({}, {"sealed": 0}).sort("created_at", 1).to_list()
        return [c for c in found if region_code is None or within(c["region_code"], region_code)]

    async def channel(self, channel_id: str, *, sealed: bool = False) -> dict | None:
        return await self.channels.find_one({"_id": channel_id}, None if sealed else {"sealed": 0})

    async def remove_channel(self, channel_id: str) -> bool:
        return (await self.channels.delete_one({"_id": channel_id})).deleted_count == 1

    async def channel_regions(self) -> dict[str, str]:
        """Each channel's region, by channel id."""
        return {c["_id"]: c["region_code"] async for c in self.channels.find({}, {"region_code": 1})}

    async def queue(self, alert: dict, occasion: Occasion, channel_ids: list[str], day: date, now: datetime,
                    urged_by: str | None = None, comment: str | None = None) -> list[str]:
        """Records a pending notification of the alert to each channel unless one exists for the day; the ids of
        those recorded now (the others were already owed or sent today)."""
        ids = [notification_id(alert["key"], channel_id, day) for channel_id in channel_ids]
        if not ids:
            return []
        result = await self.notifications.bulk_write([
            UpdateOne({"_id": _id}, {"$setOnInsert": {
                "alert_key": alert["key"], "channel_id": channel_id, "day": day.isoformat(), "occasion": str(occasion),
                "alert": alert, "urged_by": urged_by, "comment": comment, "status": "pending", "attempts": [],
                "created_at": now, "next_attempt_at": now}}, upsert=True)
            for _id, channel_id in zip(ids, channel_ids, strict=True)], ordered=False)
        return [ids[index] for index in sorted(result.upserted_ids)]

    async def due(self, now: datetime, limit: int) -> list[dict]:
        return await self.notifications.find({"status": "pending", "next_attempt_at": {"$lte": now}}).sort(
            "next_attempt_at", 1).limit(limit).to_list()

    async def attempted(self, notification: str, attempt: dict, status: str, next_attempt_at: datetime | None) -> None:
        await self.notifications.update_one(
            {"_id": notification},
            {"$push": {"attempts": attempt}, "$set": {"status": status, "next_attempt_at": next_attempt_at}})

    async def postpone(self, notifications: list[str], until: datetime) -> None:
        """Held back by the channel's own send limit: not an attempt."""
        await self.notifications.update_many({"_id": {"$in": notifications}}, {"$set": {"next_attempt_at": until}})

    async def deliveries_of(self, channel_id: str) -> list[dict]:
        return await self.notifications.find({"channel_id": channel_id}).sort("created_at", 1).to_list()

    async def record_urge(self, document: dict) -> dict:
        """The urge as recorded: this one, or the one recorded first under its id (a retried request)."""
        try:
            await self.urges.insert_one(document)
        except DuplicateKeyError:
            return await self.urges.find_one({"_id": document["_id"]})
        return document

    async def urges_of(self, alert_key: str) -> list[dict]:
        return await self.urges.find({"alert_key": alert_key}).sort("at", 1).to_list()
