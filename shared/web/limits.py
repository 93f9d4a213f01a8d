"""What one request and one client may cost, refused before a route reads anything, as problem documents.

- **Body size, per route** (413, `/problems/body-too-large`): every route takes a body of at most
  `MAX_BODY_BYTES`; a route that takes more (an upload) declares it with `openapi_extra=body_limit(n)`, which
  puts `x-max-body-bytes` in its OpenAPI operation, so the limit a client reads in `/openapi.json` is the one
  enforced. A body is refused by its Content-Length when sent, else once the bytes streamed in pass the limit.
- **Requests per credential** (429 with `Retry-After`, `/problems/rate-limited`): each client of the clients file
  (shared/web/clients.py) or of the identity provider (shared/web/oidc.py: each OIDC subject), known by its
  bearer token, may send `DUBAN_RATE_LIMIT` requests (the `limits` library's notation, e.g. `20/second;600/minute`,
  a moving window each) to one service process; one client past its rate leaves the others unaffected. Without a
  clients file or an issuer there is no credential and no rate limit. The windows are kept in memory: behind N
  processes of a service a client may send up to N times the rate.

FastAPI's own `max_body_size` is not used: it answers an oversized request in plain text, never a problem.
"""

import math
import time

from fastapi import FastAPI
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.web.authentication import client_of, is_open
from shared.web.clients import Client
from shared.web.oidc import InvalidToken, IssuerUnavailable
from shared.web.problems import ProblemResponse

KiB = 1024
# A JSON request body at most this long: every contract's fields are bounded (shared/contracts) far below it,
# and Kafka's record limit (1 MB) lies above it, so nothing that passes is refused by the broker later.
MAX_BODY_BYTES = 512 * KiB
BODY_LIMIT_KEY = "x-max-body-bytes"


def body_limit(max_bytes: int) -> dict:
    """`openapi_extra` of a route taking a body of up to `max_bytes` (more or less than MAX_BODY_BYTES)."""
    return {BODY_LIMIT_KEY: max_bytes}


class BodyTooLarge(HTTPException):
    """Raised while a body streams in past its route's `limit`: an HTTPException, so FastAPI's body parsing
    passes it on (it answers 400 for anything else), answered by `too_large`."""

    def __init__(self, limit: int):
        super().__init__(413, too_large_detail(limit))
        self.limit = limit


def too_large_detail(limit: int) -> str:
    return f"This route takes a request body of at most {limit} bytes."


def too_large(path: str, limit: int) -> ProblemResponse:
    return ProblemResponse({"type": "/problems/body-too-large", "title": "Request body too large", "status": 413,
                            "detail": too_large_detail(limit), "instance": path, "limit": limit}, status_code=413)


class BodyLimit:
    """413 for a body over its route's limit (see the module's docstring); the routes' limits are read once from
    the app's OpenAPI document, at start-up (or on the first request with a body, for an app run without its
    lifespan)."""

    def __init__(self, app: ASGIApp, default: int = MAX_BODY_BYTES):
        self.app, self.default = app, default
        self.routes: list[tuple] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.routes is None:
            # Read at start-up: building the OpenAPI document takes a few hundred ms, which the first upload
            # would otherwise hold the event loop for.
            self.routes = declared_limits(scope["app"])
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.limit_of(scope)
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return await too_large(scope["path"], limit)(scope, receive, send)
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting, send)

    def limit_of(self, scope: Scope) -> int:
        if self.routes is None:
            self.routes = declared_limits(scope["app"])
        for pattern, method, limit in self.routes:
            if method == scope["method"] and pattern.match(scope["path"]):
                return limit
        return self.default


def declared_limits(app: FastAPI) -> list[tuple]:
    """(path pattern, method, bytes) of every operation declaring `x-max-body-bytes` in the app's OpenAPI."""
    return [(compile_path(path)[0], method.upper(), operation[BODY_LIMIT_KEY])
            for path, item in app.openapi().get("paths", {}).items()
            for method, operation in item.items() if isinstance(operation, dict) and BODY_LIMIT_KEY in operation]


class RateLimit:
    """429 with Retry-After once a client (by its bearer token) passes one of `rates` (see the module)."""

    def __init__(self, app: ASGIApp, rates: list[RateLimitItem]):
        self.app, self.rates = app, rates
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = await self.client(scope)
        if client is not None:
            for rate in self.rates:
                if not await self.limiter.hit(rate, client.client_id):
                    return await self.refuse(rate, client.client_id, scope, receive, send)
        await self.app(scope, receive, send)

    @staticmethod
    async def client(scope: Scope) -> Client | None:
        """The verified caller; None for no credential, or one refused (the route answers 401 or 503 then)."""
        if scope["type"] != "http" or is_open(state := scope["app"].state):
            return None
        try:
            return await client_of(state, Headers(scope=scope).get("authorization"))
        except (InvalidToken, IssuerUnavailable):
            return None

    async def refuse(self, rate: RateLimitItem, key: str, scope: Scope, receive: Receive, send: Send) -> None:
        window = await self.limiter.get_window_stats(rate, key)
        retry_after = max(1, math.ceil(window.reset_time - time.time()))
        response = ProblemResponse({"type": "/problems/rate-limited", "title": "Too many requests", "status": 429,
                                    "detail": f"This client may send {rate} to this service; retry in "
                                              f"{retry_after} s.", "instance": scope["path"]},
                                   status_code=429, headers={"Retry-After": str(retry_after)})
        await response(scope, receive, send)


def rates_of(notation: str) -> list[RateLimitItem]:
    """`20/second;600/minute` -> the rates (ValueError for a notation `limits` cannot read); "" -> none."""
    return parse_many(notation) if notation.strip() else []


def install_limits(app: FastAPI, rate_limit: str, max_body_bytes: int = MAX_BODY_BYTES) -> None:
    """The body limits and, when `rate_limit` names rates, the per-client rate limit (settings.rate_limit)."""
    app.add_middleware(BodyLimit, default=max_body_bytes)
    app.add_exception_handler(BodyTooLarge, lambda request, error: too_large(request.url.path, error.limit))
    if rates := rates_of(rate_limit):
        app.add_middleware(RateLimit, rates=rates)
