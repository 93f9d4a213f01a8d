"""Bodies over their route's limit are 413 and a client past its rate is 429 with Retry-After, as problem documents
and before the route reads anything; other clients keep their own rate."""

import json

import httpx
import pytest
from fastapi import FastAPI, UploadFile

from shared.web.authentication import requires
from shared.web.clients import ClientEntry, Clients, Role, token_hash
from shared.web.limits import body_limit, install_limits, rates_of
from shared.web.problems import PROBLEM_JSON, install_problem_handlers

TOKENS = {"linchuan": "linchuan-token", "dongxiang": "dongxiang-token"}


def limited_app(rate_limit: str = "", clients: Clients | None = None) -> FastAPI:
    app = FastAPI()
    app.state.clients = clients
    install_problem_handlers(app)
    install_limits(app, rate_limit, max_body_bytes=1000)

    @app.post("/notes", dependencies=[requires(Role.reporter)])
    async def note(body: dict) -> dict:
        return {"keys": len(body)}

    @app.post("/files", openapi_extra=body_limit(5000))
    async def upload(file: UploadFile) -> dict:
        return {"size": len(await file.read())}

    @app.post("/sweep")
    async def sweep() -> dict:
        return {}

    return app


async def call(app: FastAPI, method: str, path: str, **kwargs) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path, **kwargs)


def chunks(body: bytes):
    async def stream():
        for start in range(0, len(body), 600):
            yield body[start:start + 600]
    return stream()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_over_the_default_limit_is_a_413_problem_before_parsing(chunked):
    body = json.dumps({"text": "x" * 2000}).encode()
    response = await call(limited_app(), "POST", "/notes", content=chunks(body) if chunked else body,
                          headers={"content-type": "application/json"})
    problem = response.json()
    assert (response.status_code, response.headers["content-type"]) == (413, PROBLEM_JSON)
    assert problem["type"] == "/problems/body-too-large" and "at most 1000 bytes" in problem["detail"]
    assert problem["limit"] == 1000


async def test_a_route_declaring_a_larger_limit_takes_it_and_no_more_and_says_so_in_openapi():
    app = limited_app()
    fits = await call(app, "POST", "/files", files={"file": ("a.txt", b"x" * 3000)})
    over = await call(app, "POST", "/files", files={"file": ("a.txt", b"x" * 6000)})
    assert fits.status_code == 200 and fits.json() == {"size": 3000}
    assert over.status_code == 413 and over.json()["limit"] == 5000
    assert app.openapi()["paths"]["/files"]["post"]["x-max-body-bytes"] == 5000


async def test_a_route_reading_no_body_still_refuses_a_large_one():
    response = await call(limited_app(), "POST", "/sweep", content=b"x" * 2000)
    assert (response.status_code, response.headers["content-type"]) == (413, PROBLEM_JSON)


def two_clients() -> Clients:
    return Clients([ClientEntry(id=name, name=name, region_code="361002", token_sha256=token_hash(token))
                    for name, token in TOKENS.items()])


async def test_a_client_past_its_rate_gets_429_with_retry_after_and_the_others_do_not():
    app = limited_app("3/minute", two_clients())
    as_linchuan = {"authorization": f"Bearer {TOKENS['linchuan']}"}
    answers = [await call(app, "POST", "/notes", json={}, headers=as_linchuan) for _ in range(4)]
    other = await call(app, "POST", "/notes", json={}, headers={"authorization": f"Bearer {TOKENS['dongxiang']}"})
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["content-type"] == PROBLEM_JSON and refused.json()["type"] == "/problems/rate-limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert TOKENS["linchuan"] not in refused.text
    assert other.status_code == 200


async def test_unknown_tokens_and_open_services_are_not_rate_limited():
    closed = limited_app("1/minute", two_clients())
    unknown = [await call(closed, "POST", "/notes", json={}, headers={"authorization": "Bearer nobody"})
               for _ in range(3)]
    open_app = limited_app("1/minute")
    anyone = [await call(open_app, "POST", "/notes", json={}) for _ in range(3)]
    assert [answer.status_code for answer in unknown] == [401] * 3
    assert [answer.status_code for answer in anyone] == [200] * 3


def test_rates_are_read_in_the_limits_notation_and_a_bad_one_is_refused():
    assert [str(rate) for rate in rates_of("20/second;600/minute")] == ["20 per 1 second", "600 per 1 minute"]
    assert rates_of("") == []
    with pytest.raises(ValueError):
        rates_of("twenty a second")


async def test_the_routes_limits_are_read_when_the_app_starts_not_on_its_first_upload():
    app, messages, sent = limited_app(), [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}], []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message["type"])

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]

    def not_again():
        raise AssertionError("the OpenAPI document was built again for a request")

    app.openapi = not_again
    over = await call(app, "POST", "/files", files={"file": ("a.txt", b"x" * 6000)})
    assert over.status_code == 413 and over.json()["limit"] == 5000
