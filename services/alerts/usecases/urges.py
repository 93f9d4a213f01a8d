"""Urging an open alert's unit by hand (督办催办, `POST /v1/alerts/{key}:urge`): queued to every channel of its region
that has not reminded the unit of it that China day (notifications/notifier.py delivers them), recorded with the
assignment-urged event it owes in one write (the urge's outbox: storage/repository.py), then published with every
other pending event. What Kafka refuses stays pending and goes out with the next evaluation's events, so an urge
accepted is never lost on the way to reporting's timeline.

An urge's id, its event's id too, is stable (shared/contracts/urges.py): the same person urging the same alert episode
with the same words on the same China day is one urge, so a retried request answers the first urge again.
"""

import hashlib
from datetime import UTC, date, datetime

from services.alerts.notifications.notifier import Notifier
from services.alerts.notifications.occasions import Occasion, notification_id
from services.alerts.storage.notifications import NotificationStore, covering
from services.alerts.usecases.evaluate import SOURCE, AlertsService
from shared.contracts import AssignmentUrge, AssignmentUrged
from shared.domain.calendar import today_in_china


def urge_id(episode: str, day: date, by: str | None, comment: str | None) -> str:
    """`<episode>.urge-<day>-<16 hex digits of by and comment>`: one urge per episode, day, person and words."""
    digest = hashlib.sha256(f"{by or ''}\x00{comment or ''}".encode()).hexdigest()[:16]
    return f"{episode}.urge-{day.isoformat()}-{digest}"


def urged_event(stored: dict, urge: dict) -> dict:
    """The assignment-urged event of an urge (as recorded) on an open alert (as AlertStore keeps it)."""
    alert = stored["alert"]
    data = AssignmentUrge(alert_key=stored["_id"], alert_kind=alert["kind"], episode=stored["episode"],
                          measure_id=alert["measure_id"], unit=alert["unit"], region_code=alert["region_code"],
                          by=urge["by"], comment=urge["comment"], urged_at=urge["at"], day=urge["day"],
                          queued=urge["queued"], already_notified=urge["already_notified"])
    return AssignmentUrged.wrap(data, source=SOURCE, event_id=urge["_id"], subject=data.key).model_dump(mode="json")


class Urging:
    def __init__(self, store: NotificationStore, notifier: Notifier, service: AlertsService):
        self.store, self.notifier, self.service = store, notifier, service

    async def urge(self, stored: dict, by: str | None, comment: str | None) -> dict:
        """Urges an open alert (stored as AlertStore keeps it): the urge as recorded (the first one, for a retry),
        with `queued` (the channels it goes to) and `already_notified` (those that reminded the unit today)."""
        now, today = datetime.now(UTC), today_in_china()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as stored (BSON: ms): a retry answers alike
        channels = covering(await self.store.channel_regions(), stored["region_code"])
        queued = await self.store.queue(stored["alert"], Occasion.URGE, channels, today, now, by, comment)
        fresh = {notification_id(stored["_id"], channel, today): channel for channel in channels}
        urge = {"_id": urge_id(stored["episode"], today, by, comment), "alert_key": stored["_id"],
                "region_code": stored["region_code"], "by": by, "comment": comment, "at": now,
                "day": today.isoformat(), "queued": [fresh[n] for n in queued],
                "already_notified": [c for n, c in fresh.items() if n not in queued]}
        recorded = await self.store.record_urge({**urge, "outbox": [urged_event(stored, urge)], "pending": True})
        if queued:
            self.notifier.wake.set()
        await self.service.publish_pending()
        return recorded
