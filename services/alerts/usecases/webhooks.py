"""Delivering alert events to webhook subscribers: signed, retried with exponential backoff, each attempt recorded.

Once an alert event is published to Kafka, one pending delivery per subscription whose region contains the
alert's region is recorded (before the event leaves the outbox, so a crash cannot lose it). A background loop
sends the due deliveries concurrently, at most `webhook_concurrency` at once: a receiver that is down or slow
delays only its own deliveries. A 2xx answer delivers; anything else (an error status, a redirect, a refused
connection, a timeout, a destination refused) is recorded and retried after `first_backoff × 2^(attempt-1)` seconds,
capped, up to `max_attempts`, then the delivery is failed (kept with every attempt for an operator to see).

Signed by the Standard Webhooks scheme (https://www.standardwebhooks.com, spec v1.0.0), so receivers verify with
its libraries: the body is the CloudEvent as published on Kafka; `webhook-id` the event id (the same on every retry:
a receiver may see an event twice, after a lost answer, and drops it by id; `ce-id` carries it too, per CloudEvents'
HTTP binding); `webhook-timestamp` this attempt's Unix seconds; `webhook-signature` `v1,<base64 HMAC-SHA256 of
"<id>.<timestamp>.<body>">` under each live secret of the subscription, space-separated. Receivers refuse a
timestamp outside their tolerance (5 minutes in the reference libraries), so a captured delivery cannot be replayed
later. `X-Duban-Delivery` names the delivery.

Secrets are `whsec_` + base64 of the key bytes (the spec's form; domain/signatures.py). A subscription holds its
current secret and, for a grace period after a rotation, the previous one (`expires_at`): both sign, so a receiver
switches whenever it likes within the grace. Secrets are kept sealed (shared/secrets.py) and opened only to sign.

Before each attempt the URL's host is resolved and every address checked (shared/destinations.py), and the request
goes to a checked address (the host name kept in `Host` and, for https, in TLS's SNI and certificate check), so a
name re-pointed at an internal address since it was subscribed is refused.
"""

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import structlog

from services.alerts.domain.signatures import legacy_secret, secret_key, signed_headers
from services.alerts.storage.webhooks import WebhookStore
from shared.contracts import CloudEvent
from shared.destinations import DestinationPolicy, DestinationRefused
from shared.secrets import SealedSecretError, SecretBox

log = structlog.get_logger()


def live_keys(subscription: dict, box: SecretBox, now: datetime) -> list[bytes]:
    """The keys of a subscription's secrets not past their `expires_at`, current first; SealedSecretError if one
    does not open (the secrets key changed without the old one kept)."""
    return [secret_key(box.open(s["sealed"])) for s in subscription["secrets"]
            if s.get("expires_at") is None or s["expires_at"] > now]


async def migrate_secrets(store: WebhookStore, box: SecretBox) -> int:
    """Seals plain secrets of subscriptions made before Standard Webhooks (in `whsec_` form, the same key bytes, so
    a receiver verifies with `whsec_` + base64 of the secret it had), and re-seals under the first secrets key what
    an older key sealed. How many subscriptions changed."""
    changed = 0
    for subscription in await store.all_secrets():
        if "secret" in subscription:
            sealed = [{"sealed": box.seal(legacy_secret(subscription["secret"])), "expires_at": None}]
        else:
            sealed = [{**s, "sealed": box.reseal(s["sealed"]) or s["sealed"]} for s in subscription["secrets"]]
            if sealed == subscription["secrets"]:
                continue
        await store.replace_secrets(subscription["_id"], sealed)
        changed += 1
    if changed:
        log.info("webhook_secrets_migrated", subscriptions=changed)
    return changed


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
    def __init__(self, store: WebhookStore, policy: DeliveryPolicy, box: SecretBox, destinations: DestinationPolicy):
        self.store, self.policy, self.box, self.destinations = store, policy, box, destinations
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
        async with self.slots:
            started = time.monotonic()
            try:
                keys = live_keys(subscription, self.box, datetime.now(UTC))
                headers = {"Content-Type": "application/cloudevents+json; charset=UTF-8",
                           **signed_headers(keys, delivery["event_id"], int(time.time()), body),
                           "X-Duban-Delivery": delivery["_id"], "ce-id": delivery["event_id"]}
                response = await self.client.send(await self.request(subscription["url"], body, headers))
                outcome = {"status_code": response.status_code}
                ok = response.is_success
            except (httpx.HTTPError, DestinationRefused, SealedSecretError) as error:
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

    async def request(self, url: str, body: bytes, headers: dict[str, str]) -> httpx.Request:
        """A POST to one of the addresses the URL's host resolves to now, each checked (DestinationRefused)."""
        target = httpx.URL(url)
        port = target.port or (443 if target.scheme == "https" else 80)
        [address, *_] = await self.destinations.resolve(target.host, port)
        # The request goes to the checked address; the name stays in Host and, for https, in SNI and the
        # certificate check (httpcore's sni_hostname extension).
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        return self.client.build_request("POST", target.copy_with(host=str(address)), content=body,
                                         headers={**headers, "Host": target.netloc.decode()}, extensions=extensions)

    async def close(self) -> None:
        for task in list(self.running):
            task.cancel()
        await asyncio.gather(*self.running, return_exceptions=True)
        await self.client.aclose()
