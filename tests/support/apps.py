"""Running a service's app in this process, with its real lifespan (broker, database)."""

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from deploy.local.processes import free_port
from services.alerts.settings import AlertsSettings


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        # A service connects to Kafka in the background (shared/broker.connecting_in_background): its subscribers
        # run before the test's body does, as the tests expect.
        if (connecting := getattr(app.state, "kafka_connecting", None)) is not None:
            await asyncio.wait_for(asyncio.shield(connecting), 120)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


@contextmanager
def serving(app: FastAPI, ready: Callable[[str], bool], timeout: float = 30, lifespan: str = "auto") -> Iterator[str]:
    """The app on a real socket (for a browser or a command-line client), its URL once `ready(url)`; `lifespan="off"`
    serves it without its broker and database."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready(url):
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def alerts_settings(settings_values: dict, **values) -> AlertsSettings:
    """No periodic sweep (tests judge on days of their own), and a consumer group of the test's own."""
    return AlertsSettings(**settings_values, alerts_sweep_interval_seconds=0,
                          alerts_consumer_group=f"{settings_values['topic_prefix']}alerts", **values)
