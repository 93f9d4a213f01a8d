"""Every error a service answers is a problem document: unexpected errors, malformed bodies, odd strings."""


import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from shared.web.problems import (
    PROBLEM_JSON,
    Problem,
    install_problem_handlers,
    unknown_measure,
    unknown_region,
    unknown_unit,
)


class Note(BaseModel):
    text: str


def app_with_routes() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    async def boom() -> dict:
        return {"ratio": 1 / 0}

    @app.post("/notes")
    async def post_note(note: Note) -> dict:
        return {"length": len(note.text)}

    @app.get("/things/{name}")
    async def thing(name: str) -> dict:
        raise Problem(404, "Not found", f"No thing {name!r}", slug="not-found")

    # A second router serving a path the first serves too, with another method.
    @app.get("/notes")
    async def list_notes() -> list:
        return []

    return app


async def call(method: str, path: str, **kwargs) -> httpx.Response:
    transport = httpx.ASGITransport(app=app_with_routes(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path, **kwargs)


@pytest.mark.asyncio
async def test_an_unexpected_error_is_a_500_problem_document() -> None:
    response = await call("GET", "/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == "/problems/internal-error"
    assert "ZeroDivisionError" in response.json()["detail"]


@pytest.mark.asyncio
@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b'{"text": 5}', b"[]", b"null"])
async def test_a_malformed_body_is_a_4xx_problem(body: bytes) -> None:
    response = await call("POST", "/notes", content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == PROBLEM_JSON


@pytest.mark.asyncio
async def test_a_lone_surrogate_quoted_in_a_detail_stays_valid_json() -> None:
    response = await call("GET", "/things/%ED%A0%80")
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/not-found"
    response = await call("POST", "/notes", content=b'{"text": "\\ud800\\u0000\\u202e"}',
                          headers={"content-type": "application/json"})
    assert response.status_code in (200, 422)


@pytest.mark.asyncio
async def test_a_method_no_route_serves_is_a_405_allowing_every_method_served_on_the_path() -> None:
    response = await call("DELETE", "/notes")
    assert (response.status_code, response.headers["content-type"]) == (405, PROBLEM_JSON)
    assert response.headers["allow"] == "GET, POST"


def test_what_is_not_found_is_said_in_chinese_naming_what_was_asked() -> None:
    found = [unknown_measure("fuzhou-2022-17"), unknown_unit("市司法局"), unknown_unit("市司法局", "fuzhou-2022-17"),
             unknown_region("361099")]
    assert {(p.status, p.slug) for p in found} == {(404, "not-found")}
    assert [p.detail for p in found] == ["督办系统中没有措施 'fuzhou-2022-17'。", "没有交办给单位 '市司法局' 的任务。",
                                         "措施 'fuzhou-2022-17' 没有交办给单位 '市司法局' 的任务。",
                                         "单位名录中没有区划 '361099'。"]
