"""The audit trail: every accepted change and every refused attempt, stored append-only by the service that
answered it, in a collection of its own (`<service>_audit`), and `GET /v1/audit` for admins in scope.

A change is a request of another method than GET, HEAD or OPTIONS that answered below 400, on a route that does not
declare `x-audit: false` (a question sent by POST, such as the tracker's judgement of a loop step). A refusal is any
request answered 401, 403 or 429, whatever its method. Each record: who (the credential's id and name, the OIDC
subject of a token from the identity provider, its roles and region: its scope), the role the route asked, the
region(s) the change was for (shared/web/authentication.py notes them as the route authorises them), what (method,
path and route), when, from which address (the socket's peer, and X-Forwarded-For as sent, which a proxy may set and
a client may forge), the status, the event id(s) the answer names, and for a refusal the problem's detail.

The record is written once the answer is sent; a database that fails then loses the record (logged), not the
change, which Kafka already holds. Nothing here updates or deletes a record.
"""

import json
import re
from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BeforeValidator
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.domain.regions import descendant_prefix
from shared.web.authentication import Caller, Note, current_note, requires, scoped
from shared.web.clients import Client, Role
from shared.web.problems import Problem

log = structlog.get_logger()
AUDIT_KEY = "x-audit"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
REFUSED = (401, 403, 429)
MAX_CAPTURED_BYTES = 256 * 1024
CODE = r"^[0-9]{6}([0-9]{3})?$"


def not_a_change() -> dict:
    """`openapi_extra` of a route taking POST that changes nothing (kept out of the trail)."""
    return {AUDIT_KEY: False}


class AuditLog:
    """Append-only records in one collection the service owns."""

    def __init__(self, collection: AsyncCollection):
        self.collection = collection
        self.indexed = False

    async def append(self, record: dict) -> None:
        if not self.indexed:
            await self.collection.create_index([("region_code", ASCENDING), ("at", ASCENDING)])
            self.indexed = True
        await self.collection.insert_one(record)

    async def query(self, region_prefix: str | None, unattributed: bool, *, since: datetime | None,
                    client_id: str | None, outcome: str | None, limit: int, offset: int) -> list[dict]:
        """Records oldest first (by time, then by insertion), of regions starting with `region_prefix` (every one
        for None), with those of no region when `unattributed`."""
        regions: dict = {}
        if region_prefix is not None:
            by_region = {"region_code": {"$regex": f"^{region_prefix}"}}
            regions = {"$or": [by_region, {"region_code": None}]} if unattributed else by_region
        conditions = [regions] + [condition for condition in (
            since and {"at": {"$gte": since}}, client_id and {"client_id": client_id},
            outcome and {"outcome": outcome}) if condition]
        cursor = self.collection.find({"$and": conditions}, {"_id": 0}).sort([("at", ASCENDING), ("_id", ASCENDING)])
        return await cursor.skip(offset).limit(limit).to_list()


def event_ids(body: object) -> list[str]:
    """The event ids an answer names: `event_id`, or each accepted report's of a batch (`results`)."""
    if not isinstance(body, dict):
        return []
    found = [body["event_id"]] if isinstance(body.get("event_id"), str) else []
    for result in body.get("results") or []:
        if isinstance(result, dict) and isinstance(result.get("event_id"), str):
            found.append(result["event_id"])
    return found


def record_of(scope: Scope, status: int, body: bytes, note: Note) -> dict:
    client: Client | None = note.client
    route = scope.get("route")
    headers = Headers(scope=scope)
    try:
        answer = json.loads(body) if body else None
    except ValueError:
        answer = None
    refused = status in REFUSED
    regions = list(dict.fromkeys(note.regions))
    return {
        "at": datetime.now(UTC), "outcome": "refused" if refused else "accepted", "status": status,
        "client_id": client and client.client_id, "client_name": client and client.name,
        "subject": client and client.subject,
        "roles": sorted(map(str, client.roles)) if client else [], "scope": client and client.region_code,
        "role": note.role and str(note.role), "region_code": regions[0] if regions else client and client.region_code,
        "regions": regions, "method": scope["method"], "path": scope["path"],
        "route": getattr(route, "path", None), "query": scope.get("query_string", b"").decode("latin-1")[:2000],
        "address": (scope.get("client") or (None,))[0], "forwarded_for": headers.get("x-forwarded-for"),
        "request_id": headers.get("x-request-id"), "event_ids": event_ids(answer),
        "reason": answer.get("detail") if refused and isinstance(answer, dict) else None,
    }


class AuditTrail:
    """Records what the module's docstring says, after the answer is sent, in the app's `state.audit_log`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        note, status, captured = Note(), 0, bytearray()
        token = current_note.set(note)

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and len(captured) < MAX_CAPTURED_BYTES:
                captured.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            current_note.reset(token)
        if self.recorded(scope, status):
            try:
                await scope["app"].state.audit_log.append(record_of(scope, status, bytes(captured), note))
            except Exception as error:  # the answer is sent: the record is lost, not the change
                log.error("audit record not stored", path=scope["path"], status=status, error=repr(error))

    @staticmethod
    def recorded(scope: Scope, status: int) -> bool:
        if status in REFUSED:
            return True
        route = scope.get("route")
        declared = (getattr(route, "openapi_extra", None) or {}).get(AUDIT_KEY, True)
        return scope["method"] not in SAFE_METHODS and 0 < status < 400 and declared


def get_audit_log(request: Request) -> AuditLog:
    return request.app.state.audit_log


def iso_time(value: object) -> object:
    """A time asked as ISO 8601 text: pydantic alone would read `since=0.5` as seconds after 1970 (the fuzz run)."""
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("an ISO 8601 time, e.g. 2026-12-01T08:00:00+08:00")
    return value


def audit_router() -> APIRouter:
    router = APIRouter(tags=["audit"])

    @router.get("/v1/audit", dependencies=[requires(Role.admin)])
    async def read_audit(
        caller: Caller, audit: Annotated[AuditLog, Depends(get_audit_log)],
        region_code: Annotated[str | None, Query(pattern=CODE, description="this region and below (default: "
                                                                              "yours)")] = None,
        since: Annotated[datetime | None, Query(description="from this time on"), BeforeValidator(iso_time)] = None,
        client: Annotated[str | None, Query(max_length=64, description="one credential's id")] = None,
        outcome: Annotated[str | None, Query(pattern="^(accepted|refused)$")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> list[dict]:
        """The audit trail of this service, oldest first: changes accepted and attempts refused, of `region_code`
        and below (403 outside yours). Refusals of no known credential have no region: only an admin of a
        city or province (a code ending in 00) sees them."""
        region = scoped(caller, region_code)
        if since is not None and since.tzinfo is None:
            raise Problem(422, "Time without zone", "Give `since` with its offset (e.g. 2026-12-01T08:00:00+08:00).",
                          slug="validation-error")
        prefix = None if region is None else descendant_prefix(region)
        records = await audit.query(prefix, region is None or region.endswith("00"), since=since, client_id=client,
                                    outcome=outcome, limit=limit, offset=offset)
        return [{**r, "at": r["at"].isoformat()} for r in records]

    return router


def install_audit(app: FastAPI, collection: AsyncCollection) -> None:
    """The trail (outermost, so it sees refusals by the rate limit too) and its route."""
    app.state.audit_log = AuditLog(collection)
    app.add_middleware(AuditTrail)
    app.include_router(audit_router())
