"""Connecting in the background (shared/kafka/broker.py): a start that fails says so when it fails."""

import asyncio

import pytest
from structlog.testing import capture_logs

from shared.kafka.broker import connected, connecting_in_background


class StoppedBroker:
    async def stop(self) -> None:
        pass


async def test_a_start_that_fails_is_logged_when_it_fails_not_only_at_the_stop():
    async def failing_preparation() -> None:
        raise ValueError("an index with other options exists")

    with capture_logs() as logs, pytest.raises(ValueError):  # raised again when the service stops
        async with connecting_in_background(StoppedBroker(), None, start_subscribers=True,
                                            first=failing_preparation()) as connecting:
            await asyncio.wait([connecting])
            assert not connected(connecting)
            assert [entry["event"] for entry in logs] == ["service_start_failed"]
