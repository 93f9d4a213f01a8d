"""Notification channels per region (WeCom and DingTalk group robots, Aliyun SMS: services/alerts/notifications),
their deliveries, and urging an alert (督办催办). With a clients file, adding and removing a channel and urging
need a client acting for the region (shared/web/authentication.py); credentials are never shown again."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr

from services.alerts.entrypoints.http.alerts import require_region
from services.alerts.entrypoints.http.dependencies import (
    AlertStoreDep,
    DestinationsDep,
    InputsDep,
    NotificationStoreDep,
    SealerDep,
    UrgingDep,
)
from services.alerts.entrypoints.http.operations import alert_not_open
from services.alerts.entrypoints.http.subscriptions import allowed_destination
from services.alerts.notifications.adapters import ADAPTERS
from services.alerts.storage.notifications import NotificationStore
from shared.web.authentication import Caller, authorise, in_scope, requires, scoped
from shared.web.clients import Role
from shared.web.openapi import problem_responses
from shared.web.problems import Problem

router = APIRouter(tags=["notifications"])
REGION_PATTERN = r"^[0-9]{6}([0-9]{3})?$"


class ChannelFields(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    region_code: str = Field(pattern=REGION_PATTERN, description="GB/T 2260: alerts of this region and below")
    name: str = Field(min_length=1, max_length=100, description="e.g. 临川区依法治区办工作群")
    endpoint: AnyHttpUrl | None = Field(default=None, description="the vendor's API URL (default: its public one)")

    def options(self) -> dict:
        return {}


class WeComChannel(ChannelFields):
    kind: Literal["wecom"]
    key: SecretStr = Field(min_length=1, max_length=200, description="the robot's webhook key (`?key=`)")
    format: Literal["text", "markdown"] = Field(
        default="text", description="text @-mentions by mobile and userid; markdown by userid only")

    def credentials(self) -> dict:
        return {"key": self.key.get_secret_value()}


class DingTalkChannel(ChannelFields):
    kind: Literal["dingtalk"]
    access_token: SecretStr = Field(min_length=1, max_length=200, description="the robot's `access_token`")
    secret: SecretStr | None = Field(default=None, max_length=200, description="加签 secret (SEC…), if set")
    format: Literal["text", "markdown"] = "markdown"

    def credentials(self) -> dict:
        return {"access_token": self.access_token.get_secret_value(),
                "secret": self.secret and self.secret.get_secret_value()}


class AliyunSmsChannel(ChannelFields):
    kind: Literal["aliyun_sms"]
    access_key_id: SecretStr = Field(min_length=1, max_length=100)
    access_key_secret: SecretStr = Field(min_length=1, max_length=100)
    sign_name: str = Field(min_length=1, max_length=50, description="an approved 短信签名")
    template_code: str = Field(min_length=1, max_length=50, description=(
        "an approved template with ${unit} ${measure} ${occasion} ${status}"))
    region_id: str = Field(default="cn-hangzhou", max_length=50)

    def credentials(self) -> dict:
        return {"access_key_id": self.access_key_id.get_secret_value(),
                "access_key_secret": self.access_key_secret.get_secret_value()}

    def options(self) -> dict:
        return {"sign_name": self.sign_name, "template_code": self.template_code, "region_id": self.region_id}


NewChannel = Annotated[WeComChannel | DingTalkChannel | AliyunSmsChannel, Field(discriminator="kind")]


def view(document: dict) -> dict:
    return {"id": document["_id"], "region_code": document["region_code"], "kind": document["kind"],
            "name": document["name"], "endpoint": document["endpoint"], "format": document.get("format"),
            "options": document.get("options", {}), "created_at": document["created_at"]}


ADMIN, PLANNER, VIEWER = ([requires(role)] for role in (Role.admin, Role.planner, Role.viewer))


@router.post("/v1/channels", status_code=201, responses=problem_responses(403), dependencies=ADMIN)
async def add_channel(channel: Annotated[NewChannel, Body()], caller: Caller, store: NotificationStoreDep,
                      sealer: SealerDep, destinations: DestinationsDep) -> dict:
    """Adds a channel that reminds the units of a region and below. The credentials are stored encrypted and
    not shown again. An endpoint of its own (a 政务钉钉 or intranet gateway) is held to the webhooks' rule on
    internal addresses: 422 unless allow-listed."""
    authorise(caller, channel.region_code, "该通知渠道")
    if channel.endpoint is not None:
        await allowed_destination(destinations, channel.endpoint, "endpoint")
    document = {"_id": uuid.uuid4().hex, "region_code": channel.region_code, "kind": channel.kind,
                "name": channel.name, "endpoint": str(channel.endpoint or ADAPTERS[channel.kind].default_endpoint),
                "format": getattr(channel, "format", None), "options": channel.options(),
                "sealed": sealer.seal(channel.credentials()), "created_at": datetime.now(UTC)}
    await store.add_channel(document)
    return view(document)


@router.get("/v1/channels", responses=problem_responses(404), dependencies=ADMIN)
async def list_channels(store: NotificationStoreDep, inputs: InputsDep, caller: Caller, region_code: Annotated[
        str | None, Query(pattern=REGION_PATTERN, description="channels of this region and below")] = None,
                        ) -> list[dict]:
    """The channels of a region and below (404 for a region the registry does not have, 403 for one outside the
    caller's), or every channel in the caller's region."""
    await require_region(inputs, region_code)
    region_code = scoped(caller, region_code)
    return [view(c) for c in await store.list_channels(region_code)]


async def existing(store: NotificationStore, channel_id: str) -> dict:
    found = await store.channel(channel_id)
    if found is None:
        raise Problem(404, "Channel not found", f"没有通知渠道 {channel_id!r}。", slug="not-found")
    return found


@router.get("/v1/channels/{channel_id}", responses=problem_responses(403, 404), dependencies=ADMIN)
async def read_channel(channel_id: str, store: NotificationStoreDep, caller: Caller) -> dict:
    channel = await existing(store, channel_id)
    authorise(caller, channel["region_code"], f"通知渠道 {channel_id}")
    return view(channel)


@router.delete("/v1/channels/{channel_id}", status_code=204, responses=problem_responses(403, 404), dependencies=ADMIN)
async def remove_channel(channel_id: str, caller: Caller, store: NotificationStoreDep) -> Response:
    """Removes a channel; its pending notifications are failed as `channel removed`."""
    authorise(caller, (await existing(store, channel_id))["region_code"], f"通知渠道 {channel_id}")
    await store.remove_channel(channel_id)
    return Response(status_code=204)


@router.get("/v1/channels/{channel_id}/deliveries", responses=problem_responses(403, 404), dependencies=ADMIN)
async def list_deliveries(channel_id: str, store: NotificationStoreDep, caller: Caller) -> list[dict]:
    """Each notification owed to the channel, oldest first: the alert, the day, the occasion (due_soon, overdue,
    urge), `status` (pending, delivered, failed) and every attempt with its time, duration, `outcome` (delivered,
    throttled, transient, failed) and the vendor's code and message."""
    authorise(caller, (await existing(store, channel_id))["region_code"], f"通知渠道 {channel_id}")
    return [{"id": n["_id"], "alert_key": n["alert_key"], "day": n["day"], "occasion": n["occasion"],
             "urged_by": n.get("urged_by"), "status": n["status"], "attempts": n["attempts"],
             "next_attempt_at": n["next_attempt_at"]} for n in await store.deliveries_of(channel_id)]


def urge_view(urge: dict) -> dict:
    return {"id": urge["_id"], **{k: urge[k] for k in ("alert_key", "region_code", "by", "comment", "at", "day",
                                                       "queued", "already_notified")}}


@router.post("/v1/alerts/{key}:urge", status_code=202, responses=problem_responses(403, 404), dependencies=PLANNER)
async def urge(
    key: str, caller: Caller, urging: UrgingDep,
    alerts: AlertStoreDep,
    by: Annotated[str | None, Body(embed=True, max_length=200,
                                   description="who urges (default: the calling client's name)")] = None,
    comment: Annotated[str | None, Body(embed=True, max_length=500, description="督办意见")] = None,
) -> dict:
    """Urges an open alert's unit (督办催办) through every channel of its region, at most once per channel per
    China day (a reminder sent that day counts): `queued` lists the channels it goes to, `already_notified` those
    that reached the unit today already. Recorded (GET …/urges) either way, and published as assignment-urged (an
    item's timeline at reporting shows it); the same `by` and `comment` on the same alert and China day again is the
    same urge (a retry answers the first)."""
    stored = (await alerts.open_by_keys([key])).get(key)
    if stored is None:
        raise alert_not_open(key)
    authorise(caller, stored["region_code"], f"预警 {key}")
    return urge_view(await urging.urge(stored, by or (caller and caller.name), comment))


@router.get("/v1/alerts/{key}/urges", responses=problem_responses(404), dependencies=VIEWER)
async def list_urges(key: str, store: NotificationStoreDep, alerts: AlertStoreDep, caller: Caller) -> list[dict]:
    """Every urge of an alert, oldest first: who, when, the comment, and the channels it went to. 404 for a key
    no alert ever had (an alert never urged, or outside the caller's region, answers [])."""
    urges = await store.urges_of(key)
    if not urges and not await alerts.ever_raised(key):
        raise Problem(404, "Alert not found", f"从未发出过预警 {key!r}。", slug="not-found")
    return [urge_view(u) for u in urges if in_scope(caller, u["region_code"])]
