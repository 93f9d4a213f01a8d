"""The notifications' use cases: plan the day's reminders, deliver what is due.

Planning (every `plan_interval_seconds`, and on demand): each open alert that owes a reminder today
(occasions.py) queues one notification per channel whose region contains the alert's region; an urge
(usecases/urges.py) queues the same way, for any open alert, and sets `wake`. Queuing is idempotent per (alert,
channel, China day): the store inserts only absent notifications, so a reminder reaches a channel at most once a
day, across processes and restarts.

Delivery: the due notifications are grouped by channel and each channel's are sent in order by one task, so a
robot's own limit (20 messages a minute for DingTalk and WeCom) is kept by a sliding window here: what does not
fit is postponed until it does (not an attempt). The message is composed at send time from the alert, the
measure's title and the unit's contact in the latest registry (alerts' copies: storage/inputs.py). A vendor's
reply is judged by its code (adapters/replies.py): throttled waits `throttled_retry_seconds` (and holds back the
channel's rest), transient is retried with the webhooks' backoff up to `max_attempts`, failed is final. Each
attempt is recorded; log lines name the notification and channel, never the contact or the message.
"""

import asyncio
import contextlib
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
import structlog

from services.alerts.notifications.adapters import ADAPTERS
from services.alerts.notifications.adapters.replies import Reply
from services.alerts.notifications.messages import compose
from services.alerts.notifications.occasions import Occasion, ReminderPolicy, held_off, occasion_on
from services.alerts.notifications.ratelimit import RateWindow
from services.alerts.notifications.secrets import Sealer
from services.alerts.storage.inputs import Inputs
from services.alerts.storage.notifications import NotificationStore, covering
from services.alerts.storage.repository import AlertStore
from services.alerts.usecases.webhooks import DeliveryPolicy
from shared.destinations import DestinationPolicy
from shared.domain.calendar import today_in_china

log = structlog.get_logger()


@dataclass(frozen=True)
class NotifierPolicy:
    reminders: ReminderPolicy = ReminderPolicy()
    delivery: DeliveryPolicy = DeliveryPolicy()
    throttled_retry_seconds: float = 600.0  # DingTalk blocks a robot about 10 minutes after 130101
    plan_interval_seconds: float = 300.0  # 0: reminders planned only when asked (Notifier.plan)
    robot_window_seconds: float = 60.0  # the window of the robots' "20 a minute"


class Notifier:
    def __init__(self, store: NotificationStore, alerts: AlertStore, inputs: Inputs, sealer: Sealer,
                 policy: NotifierPolicy, destinations: DestinationPolicy):
        self.store, self.alerts, self.inputs, self.sealer, self.policy = store, alerts, inputs, sealer, policy
        self.destinations = destinations  # a channel's endpoint is checked again before each sending, as webhooks
        self.client = httpx.AsyncClient(timeout=policy.delivery.timeout_seconds)
        self.windows: dict[str, RateWindow] = {}
        self.wake = asyncio.Event()
        self.running: set[asyncio.Task] = set()

    async def plan(self, today: date) -> int:
        """Queues the reminders the open alerts owe today; how many were new."""
        now, queued = datetime.now(UTC), 0
        channel_regions = await self.store.channel_regions()
        for stored in (await self.alerts.open_alerts()).values() if channel_regions else ():
            if held_off(stored, now, self.policy.reminders):
                continue
            occasion = occasion_on(stored["alert"], today, self.policy.reminders)
            if occasion:
                channels = covering(channel_regions, stored["region_code"])
                queued += len(await self.store.queue(stored["alert"], occasion, channels, today, now))
        if queued:
            self.wake.set()
        log.info("reminders_planned", day=today.isoformat(), queued=queued)
        return queued

    async def run(self) -> None:
        """Plans reminders every `plan_interval_seconds` and delivers due notifications, until cancelled."""
        next_plan = 0.0
        while True:
            try:
                if self.policy.plan_interval_seconds > 0 and time.monotonic() >= next_plan:
                    next_plan = time.monotonic() + self.policy.plan_interval_seconds
                    await self.plan(today_in_china())
                await self.deliver_due()
            except Exception as error:  # the database away: try again at the next tick
                log.warning("notification_loop_failed", error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.policy.delivery.poll_seconds)
            self.wake.clear()

    async def deliver_due(self) -> None:
        busy = {task.get_name() for task in self.running}
        by_channel: dict[str, list[dict]] = defaultdict(list)
        for notification in await self.store.due(datetime.now(UTC), 10 * self.policy.delivery.concurrency):
            if notification["channel_id"] not in busy:
                by_channel[notification["channel_id"]].append(notification)
        for channel_id, notifications in by_channel.items():
            task = asyncio.create_task(self.deliver_channel(channel_id, notifications), name=channel_id)
            self.running.add(task)
            task.add_done_callback(self.running.discard)

    async def deliver_channel(self, channel_id: str, notifications: list[dict]) -> None:
        channel = await self.store.channel(channel_id, sealed=True)
        if channel is None:  # removed since: nothing more to send
            for notification in notifications:
                await self.settle(notification, Reply("failed", {"error": "channel removed"}), 0.0)
            return
        try:
            credentials = self.sealer.open(channel["sealed"])
            endpoint = httpx.URL(channel["endpoint"])
            await self.destinations.resolve(endpoint.host, endpoint.port or (443 if endpoint.scheme == "https" else 80))
        except ValueError as error:  # SealedSecretError, DestinationRefused (the name now resolves inside)
            for notification in notifications:
                await self.settle(notification, Reply("failed", {"error": str(error)}), 0.0)
            return
        adapter = ADAPTERS[channel["kind"]]
        window = adapter.per_minute and self.windows.setdefault(
            channel_id, RateWindow(adapter.per_minute, self.policy.robot_window_seconds))
        still_open = await self.alerts.open_by_keys({n["alert_key"] for n in notifications})
        for notification in [n for n in notifications if n["alert_key"] not in still_open]:
            await self.settle(notification, Reply("withdrawn", {"reason": "the alert closed before it was sent"}), 0.0)
        notifications = [n for n in notifications if n["alert_key"] in still_open]
        contacts = await self.inputs.contacts()
        measures = await self.inputs.measures({n["alert"]["measure_id"] for n in notifications})
        for index, notification in enumerate(notifications):
            wait = window.wait(time.monotonic()) if window else 0.0
            if wait > 0:  # the robot's minute is full: the rest wait their turn
                await self.hold(notifications[index:], wait)
                return
            if window:
                window.take(time.monotonic())
            alert = notification["alert"]
            message = compose(Occasion(notification["occasion"]), alert,
                              (measures.get(alert["measure_id"]) or {}).get("title"), contacts.get(alert["unit"]),
                              notification.get("urged_by"), notification.get("comment"))
            started = time.monotonic()
            try:
                reply = await adapter.send(self.client, channel, credentials, message)
            except httpx.HTTPError as error:
                reply = Reply("transient", {"error": repr(error)})
            await self.settle(notification, reply, time.monotonic() - started)
            if reply.outcome == "throttled":
                await self.hold(notifications[index + 1:], self.policy.throttled_retry_seconds)
                return

    async def hold(self, notifications: list[dict], seconds: float) -> None:
        if notifications:
            await self.store.postpone([n["_id"] for n in notifications], datetime.now(UTC) + timedelta(seconds=seconds))
            asyncio.get_running_loop().call_later(seconds, self.wake.set)

    async def settle(self, notification: dict, reply: Reply, seconds: float) -> None:
        """Records an attempt and what follows from its reply."""
        attempts = len(notification["attempts"]) + 1
        delivery = self.policy.delivery
        if reply.outcome in ("delivered", "withdrawn"):
            status, retry = reply.outcome, None
        elif reply.outcome == "failed" or attempts >= delivery.max_attempts:
            status, retry = "failed", None
        else:
            status = "pending"
            retry = self.policy.throttled_retry_seconds if reply.outcome == "throttled" else delivery.backoff(attempts)
        await self.store.attempted(
            notification["_id"],
            {"at": datetime.now(UTC), "attempt": attempts, "duration_ms": round(1000 * seconds, 1),
             "outcome": reply.outcome, **reply.detail},
            status, retry and datetime.now(UTC) + timedelta(seconds=retry))
        log.info("notification_attempted", notification=notification["_id"], channel=notification["channel_id"],
                 outcome=reply.outcome, status=status, **reply.detail)
        if retry:
            asyncio.get_running_loop().call_later(retry, self.wake.set)

    async def close(self) -> None:
        for task in list(self.running):
            task.cancel()
        await asyncio.gather(*self.running, return_exceptions=True)
        await self.client.aclose()
