"""Webhook subscriptions: alert events delivered to other systems, per region (see usecases/webhooks.py). With a
clients file, subscribing, rotating a secret and unsubscribing need a client acting for the region
(shared/web/authentication.py). A secret is shown once, in the answer that generated it, and never again."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Response
from pydantic import AnyHttpUrl

from services.alerts.domain.signatures import SECRET_BYTES, SECRET_PREFIX, new_secret, rotated, secret_key
from services.alerts.entrypoints.http.dependencies import DestinationsDep, SecretBoxDep, WebhookStoreDep
from services.alerts.storage.webhooks import WebhookStore
from shared.destinations import DestinationPolicy, DestinationRefused
from shared.web.authentication import Caller, authorise, in_scope
from shared.web.openapi import problem_responses
from shared.web.problems import Problem

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])
RegionCode = Annotated[str, Body(embed=True, pattern=r"^[0-9]{6}([0-9]{3})?$",
                                 description="GB/T 2260: alerts of this region and every region below it")]
Secret = Annotated[str | None, Body(
    embed=True, max_length=200,
    description=f"`{SECRET_PREFIX}<base64 of {SECRET_BYTES.start}–{SECRET_BYTES.stop - 1} random bytes>` (Standard "
                "Webhooks); left out, duban generates one and answers it once as `secret`")]
DAY = 86_400


def view(document: dict) -> dict:
    """A subscription as answered: never its secrets; while a rotated-out secret still signs, when it stops."""
    expiring = [at for at in document.get("secrets_expire_at", []) if at is not None]
    return {"id": document["_id"], "region_code": document["region_code"], "url": document["url"],
            "created_at": document["created_at"], "previous_secret_expires_at": expiring[0] if expiring else None}


def accepted_secret(secret: str | None) -> str:
    """The subscriber's secret when it is a Standard Webhooks secret, a new one when none was sent; 422 otherwise."""
    if secret is None:
        return new_secret()
    try:
        size = len(secret_key(secret))
    except ValueError as error:
        size, reason = 0, str(error)
    else:
        reason = f"a secret's key is {SECRET_BYTES.start} to {SECRET_BYTES.stop - 1} bytes, not {size}"
    if size in SECRET_BYTES:
        return secret
    raise Problem(422, "Invalid request", f"secret: {reason}", slug="validation-error",
                  errors=[{"field": "secret", "message": reason, "code": "secret_format"}])


async def allowed_destination(destinations: DestinationPolicy, url: AnyHttpUrl, field: str = "url") -> str:
    """The URL when its host resolves to addresses webhooks and channels may call (shared/destinations.py); 422
    naming `field` otherwise."""
    try:
        await destinations.resolve(url.host, url.port)
    except DestinationRefused as refused:
        raise Problem(422, "Destination refused", f"{field}: {refused}", slug="destination-refused",
                      errors=[{"field": field, "message": str(refused), "code": "destination_refused"}]) from None
    return str(url)


@router.post("", status_code=201, responses=problem_responses(403))
async def subscribe(
    store: WebhookStoreDep, box: SecretBoxDep, destinations: DestinationsDep, region_code: RegionCode,
    caller: Caller,
    url: Annotated[AnyHttpUrl, Body(
        embed=True, description="receives each alert-raised / alert-severity-changed / alert-cleared; a loopback, "
                                "link-local or private address (or a name resolving to one) only if allow-listed")],
    secret: Secret = None,
) -> dict:
    """Subscribes a URL to the alert events of a region and below. A generated secret is answered once."""
    authorise(caller, region_code, "该订阅")
    chosen = accepted_secret(secret)
    document = {"_id": uuid.uuid4().hex, "region_code": region_code,
                "url": await allowed_destination(destinations, url), "created_at": datetime.now(UTC),
                "secrets": [{"sealed": box.seal(chosen), "expires_at": None}]}
    await store.subscribe(document)
    return {**view(document), **({"secret": chosen} if secret is None else {})}


@router.get("")
async def list_subscriptions(store: WebhookStoreDep, caller: Caller) -> list[dict]:
    """The subscriptions of the caller's region and below."""
    return [view(s) for s in await store.list_subscriptions() if in_scope(caller, s["region_code"])]


def unknown_subscription(subscription_id: str) -> Problem:
    return Problem(404, "Subscription not found", f"没有订阅 {subscription_id!r}。", slug="not-found")


async def existing(store: WebhookStore, subscription_id: str) -> dict:
    found = await store.subscription(subscription_id)
    if found is None:
        raise unknown_subscription(subscription_id)
    return found


@router.get("/{subscription_id}", responses=problem_responses(403, 404))
async def read_subscription(store: WebhookStoreDep, subscription_id: str, caller: Caller) -> dict:
    subscription = await existing(store, subscription_id)
    authorise(caller, subscription["region_code"], f"订阅 {subscription_id}")
    return view(subscription)


@router.post("/{subscription_id}:rotate-secret", responses=problem_responses(403, 404))
async def rotate_secret(
    store: WebhookStoreDep, box: SecretBoxDep, subscription_id: str, caller: Caller, secret: Secret = None,
    grace_seconds: Annotated[int, Body(embed=True, ge=0, le=30 * DAY, description=(
        "how long the current secret keeps signing beside the new one (both signatures are sent); 0 ends it now"))
    ] = DAY,
) -> dict:
    """Replaces the subscription's secret; the old one still signs for `grace_seconds`. A generated secret is
    answered once."""
    authorise(caller, (await existing(store, subscription_id))["region_code"], f"订阅 {subscription_id}")
    chosen = accepted_secret(secret)
    sealed = await store.sealed_secrets(subscription_id)
    if sealed is None or not await store.replace_secrets(subscription_id, rotated(
            sealed, box.seal(chosen), datetime.now(UTC), timedelta(seconds=grace_seconds))):
        raise unknown_subscription(subscription_id)
    return {**view(await existing(store, subscription_id)), **({"secret": chosen} if secret is None else {})}


@router.delete("/{subscription_id}", status_code=204, responses=problem_responses(403, 404))
async def unsubscribe(store: WebhookStoreDep, subscription_id: str, caller: Caller) -> Response:
    """Stops deliveries; deliveries still pending are failed as `unsubscribed`."""
    authorise(caller, (await existing(store, subscription_id))["region_code"], f"订阅 {subscription_id}")
    if not await store.unsubscribe(subscription_id):
        raise unknown_subscription(subscription_id)
    return Response(status_code=204)


@router.get("/{subscription_id}/deliveries", responses=problem_responses(403, 404))
async def list_deliveries(store: WebhookStoreDep, subscription_id: str, caller: Caller) -> list[dict]:
    """Each event delivered (or being delivered) to the subscription: `status` (pending, delivered, failed) and
    every attempt with its time, duration and outcome (`status_code` or `error`)."""
    authorise(caller, (await existing(store, subscription_id))["region_code"], f"订阅 {subscription_id}")
    return [{"id": d["_id"], "event_id": d["event_id"], "event_type": d["event_type"], "status": d["status"],
             "attempts": d["attempts"], "next_attempt_at": d["next_attempt_at"]}
            for d in await store.deliveries_of(subscription_id)]
