"""Delivering alert events to webhook subscribers: signed, retried with exponential backoff, each attempt recorded.

Once an alert event is published to Kafka, one pending delivery per subscription whose region contains the
alert's region is recorded (before the event leaves the outbox, so a crash cannot lose it). A background loop
sends the due deliveries concurrently, at most `webhook_concurrency` at once: a receiver that is down or slow
delays only its own deliveries. A 2xx answer delivers; anything else (an error status, a refused connection, a
timeout) is recorded and retried after `first_backoff × 2^(attempt-1)` seconds, capped, up to `max_attempts`,
then the delivery is failed (kept with every attempt for an operator to see).

The body is the CloudEvent as published on Kafka; `X-Duban-Signature: sha256=<hex>` is HMAC-SHA256 of those
exact bytes under the subscription's secret. `X-Duban-Delivery` names the delivery, `ce-id` the event: a receiver
may see an event twice (a retry after a lost answer) and should drop it by id.
"""

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import structlog

from services.alerts.storage.webhooks import WebhookStore
from shared.contracts import CloudEvent

SIGNATURE_HEADER = "X-Duban-Signature"
log = structlog.get_logger()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class DeliveryPolicy:
    timeout_seconds: float = 5.0
    max_attempts: int = 8
    first_backoff_seconds: float = 2.0
    max_backoff_seconds: float = 600.0
    concurrency: int = 16
    poll_seconds: float = 1.0

    def backoff(self, attempts: int) -> float:
        return min(self.first_backoff_seconds * 2 ** (attempts - 1), self.max_backoff_seconds)


class Deliverer:
    def __init__(self, store: WebhookStore, policy: DeliveryPolicy):
        self.store, self.policy = store, policy
        self.wake = asyncio.Event()
        self.client = httpx.AsyncClient(timeout=policy.timeout_seconds)
        self.running: set[asyncio.Task] = set()
        self.slots = asyncio.Semaphore(policy.concurrency)

    async def published(self, event: CloudEvent) -> None:
        """Records the deliveries an event published on Kafka owes, and wakes the loop."""
        data = event.model_dump(mode="json")
        if await self.store.record_deliveries(data, data["data"]["region_code"], datetime.now(UTC)):
            self.wake.set()

    async def run(self) -> None:
        """Sends due deliveries until cancelled."""
        while True:
            try:
                await self.deliver_due()
            except Exception as error:  # the database away: try again at the next tick
                log.warning("webhook_loop_failed", error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.policy.poll_seconds)
            self.wake.clear()

    async def deliver_due(self) -> None:
        busy = {task.get_name() for task in self.running}
        due = [d for d in await self.store.due(datetime.now(UTC), 10 * self.policy.concurrency) if d["_id"] not in busy]
        subscriptions = await self.store.secrets(sorted({d["subscription_id"] for d in due}))
        for delivery in due:
            task = asyncio.create_task(self.attempt(delivery, subscriptions.get(delivery["subscription_id"])),
                                       name=delivery["_id"])
            self.running.add(task)
            task.add_done_callback(self.running.discard)

    async def attempt(self, delivery: dict, subscription: dict | None) -> None:
        if subscription is None:  # unsubscribed since: nothing more to send
            await self.store.attempted(delivery["_id"], {"at": datetime.now(UTC), "error": "unsubscribed"},
                                       "failed", None)
            return
        body = json.dumps(delivery["body"], ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/cloudevents+json; charset=UTF-8",
                   SIGNATURE_HEADER: signature(subscription["secret"], body),
                   "X-Duban-Delivery": delivery["_id"], "ce-id": delivery["event_id"]}
        async with self.slots:
            started = time.monotonic()
            try:
                response = await self.client.post(subscription["url"], content=body, headers=headers)
                outcome = {"status_code": response.status_code}
                ok = response.is_success
            except httpx.HTTPError as error:
                outcome, ok = {"error": repr(error)}, False
        attempts = len(delivery["attempts"]) + 1
        record = {"at": datetime.now(UTC), "attempt": attempts,
                  "duration_ms": round(1000 * (time.monotonic() - started), 1), **outcome}
        if ok:
            status, next_at = "delivered", None
        elif attempts >= self.policy.max_attempts:
            status, next_at = "failed", None
        else:
            status, next_at = "pending", datetime.now(UTC) + timedelta(seconds=self.policy.backoff(attempts))
        await self.store.attempted(delivery["_id"], record, status, next_at)
        log.info("webhook_attempted", delivery=delivery["_id"], status=status, **outcome)
        if status == "pending":
            asyncio.get_running_loop().call_later(self.policy.backoff(attempts), self.wake.set)

    async def close(self) -> None:
        for task in list(self.running):
            task.cancel()
        await asyncio.gather(*self.running, return_exceptions=True)
        await self.client.aclose()
