"""Every line JSON, the libraries' too; a request's lines carry its id, an event's its id and traceparent."""

import json
import logging

import httpx
import structlog
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from shared.contracts import CloudEvent, Topics
from shared.kafka.consuming import Consumer, event_context
from shared.logging import configure_logging, install_request_ids
from shared.web.problems import install_problem_handlers


def lines(out: str) -> list[dict]:
    """The lines written, but the test's own HTTP client's; fails on any line that is not JSON."""
    return [line for line in map(json.loads, out.splitlines()) if line.get("logger") != "httpx"]


def app_that_logs() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    install_request_ids(app)

    @app.get("/work")
    async def work() -> dict:
        structlog.get_logger().info("worked", figure=3)
        logging.getLogger("aiokafka").warning("a library line during the request")
        return {"done": True}

    @app.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("broken")

    return app


async def request(path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app_that_logs(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, headers=headers)


def test_duban_and_library_lines_are_json_with_level_logger_and_time(capfd):
    configure_logging("INFO")
    structlog.get_logger().info("started", port=8001)
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("aiokafka.consumer.group_coordinator").warning("Heartbeat failed: %s", "rebalancing")
    logging.getLogger("faststream").debug("below the level: not written")
    started, uvicorn_line, aiokafka_line = lines(capfd.readouterr().err)
    assert started["event"] == "started" and started["port"] == 8001 and started["level"] == "info"
    assert uvicorn_line["event"] == "Started server process [42]" and uvicorn_line["logger"] == "uvicorn.error"
    assert aiokafka_line["level"] == "warning" and aiokafka_line["event"] == "Heartbeat failed: rebalancing"
    assert all(line["timestamp"].endswith("Z") for line in (started, uvicorn_line, aiokafka_line))


async def test_a_requests_lines_carry_its_id_which_the_response_echoes(capfd):
    configure_logging("INFO")
    response = await request("/work", **{"X-Request-ID": "ledger-upload-17"})
    assert response.headers["x-request-id"] == "ledger-upload-17"
    written = lines(capfd.readouterr().err)
    assert [line["event"] for line in written] == ["worked", "a library line during the request"]
    assert all(line["request_id"] == "ledger-upload-17" for line in written)


async def test_without_an_acceptable_id_one_is_generated(capfd):
    configure_logging("INFO")
    for headers in ({}, {"X-Request-ID": "x" * 500}, {"X-Request-ID": "two words"}):
        response = await request("/work", **headers)
        generated = response.headers["x-request-id"]
        assert len(generated) == 32 and generated != headers.get("X-Request-ID")
        assert {line.get("request_id") for line in lines(capfd.readouterr().err) if line["event"] == "worked"} == {
            generated}


async def test_an_unexpected_error_is_one_json_line_with_its_traceback_and_request_id(capfd):
    configure_logging("INFO")
    response = await request("/boom", **{"X-Request-ID": "r-1"})
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "r-1"
    [error] = [line for line in lines(capfd.readouterr().err) if line["event"] == "unexpected_error"]
    assert error["request_id"] == "r-1" and "RuntimeError: broken" in error["exception"]


TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def event(event_id: str, **extensions) -> CloudEvent:
    return CloudEvent[dict].model_validate({"id": event_id, "source": "/intake", "type": "t", "data": {},
                                            "time": "2026-11-30T08:00:00Z", **extensions})


def test_an_events_context_is_its_id_and_traceparent():
    assert event_context(event("e-1", traceparent=TRACEPARENT)) == {"event_id": "e-1", "traceparent": TRACEPARENT}
    assert event_context(event("e-2")) == {"event_id": "e-2"}


async def test_the_lines_written_while_a_consumer_applies_an_event_name_it(capfd):
    configure_logging("INFO")

    async def apply(events: list) -> dict[str, str]:
        structlog.get_logger().info("applying")
        return {}

    consumer = Consumer(KafkaBroker(), Topics("t."), "duban-tracker")
    await consumer.apply_each([event("e-1", traceparent=TRACEPARENT), event("e-2")], apply)
    structlog.get_logger().info("between batches")
    first, second, after = lines(capfd.readouterr().err)
    assert (first["event_id"], first["traceparent"]) == ("e-1", TRACEPARENT)
    assert second["event_id"] == "e-2" and "traceparent" not in second
    assert "event_id" not in after


def test_an_http_clients_request_urls_which_carry_webhook_secrets_are_not_written(capfd):
    configure_logging("DEBUG")
    logging.getLogger("httpx").info("HTTP Request: POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=s3cret")
    logging.getLogger("httpx").warning("a warning is still written")
    err = capfd.readouterr().err
    assert "s3cret" not in err and "a warning is still written" in err
