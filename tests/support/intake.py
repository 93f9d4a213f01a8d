"""intake running in this process, connected to the test's broker before the first request."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.support.apps import running
from tests.support.waiting import eventually


@asynccontextmanager
async def running_intake(settings_values: dict, **settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(IntakeSettings(**settings_values, **settings))) as client:
        async def connected():
            return (await client.get("/health")).json()["kafka"] == "connected"

        await eventually(connected)
        yield client


def topic(settings_values: dict, name: str) -> str:
    return f"{settings_values['topic_prefix']}{name}"
