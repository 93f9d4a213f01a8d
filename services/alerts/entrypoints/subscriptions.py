"""Webhook subscriptions: alert events delivered to other systems, per region (see services/alerts/webhooks.py).
With a clients file, subscribing and unsubscribing need a client acting for the region (shared/authentication.py)."""

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from pydantic import AnyHttpUrl

from shared.authentication import Caller, authorise
from shared.problems import Problem

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])
RegionCode = Annotated[str, Body(embed=True, pattern=r"^\d{6}(\d{3})?$",
                                 description="GB/T 2260: alerts of this region and every region below it")]


def view(document: dict) -> dict:
    return {"id": document["_id"], "region_code": document["region_code"], "url": document["url"],
            "created_at": document["created_at"]}


@router.post("", status_code=201)
async def subscribe(
    request: Request, region_code: RegionCode, caller: Caller,
    url: Annotated[AnyHttpUrl, Body(
        embed=True, description="receives each alert-raised / alert-severity-changed / alert-cleared")],
    secret: Annotated[str, Body(embed=True, min_length=16, max_length=256,
                                description="signs each body: X-Duban-Signature: sha256=HMAC-SHA256(secret, body)")],
) -> dict:
    """Subscribes a URL to the alert events of a region and below. The secret is not shown again."""
    authorise(caller, region_code, "the subscription")
    document = {"_id": uuid.uuid4().hex, "region_code": region_code, "url": str(url), "secret": secret,
                "created_at": datetime.now(UTC)}
    await request.app.state.webhook_store.subscribe(document)
    return view(document)


@router.get("")
async def list_subscriptions(request: Request) -> list[dict]:
    return [view(s) for s in await request.app.state.webhook_store.list_subscriptions()]


async def existing(request: Request, subscription_id: str) -> dict:
    found = await request.app.state.webhook_store.subscription(subscription_id)
    if found is None:
        raise Problem(404, "Subscription not found", f"No subscription {subscription_id!r}.", slug="not-found")
    return found


@router.get("/{subscription_id}")
async def read_subscription(request: Request, subscription_id: str) -> dict:
    return view(await existing(request, subscription_id))


@router.delete("/{subscription_id}", status_code=204)
async def unsubscribe(request: Request, subscription_id: str, caller: Caller) -> Response:
    """Stops deliveries; deliveries still pending are failed as `unsubscribed`."""
    authorise(caller, (await existing(request, subscription_id))["region_code"], f"subscription {subscription_id}")
    if not await request.app.state.webhook_store.unsubscribe(subscription_id):
        raise Problem(404, "Subscription not found", f"No subscription {subscription_id!r}.", slug="not-found")
    return Response(status_code=204)


@router.get("/{subscription_id}/deliveries")
async def list_deliveries(request: Request, subscription_id: str) -> list[dict]:
    """Each event delivered (or being delivered) to the subscription: `status` (pending, delivered, failed) and
    every attempt with its time, duration and outcome (`status_code` or `error`)."""
    await existing(request, subscription_id)
    return [{"id": d["_id"], "event_id": d["event_id"], "event_type": d["event_type"], "status": d["status"],
             "attempts": d["attempts"], "next_attempt_at": d["next_attempt_at"]}
            for d in await request.app.state.webhook_store.deliveries_of(subscription_id)]
