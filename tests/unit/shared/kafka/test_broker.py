"""Connecting in the background (shared/kafka/broker.py): a start that fails says so when it fails; the subscribers
start together, and a start that fails leaves none running."""

import asyncio

import pytest
from aiokafka.errors import KafkaConnectionError
from structlog.testing import capture_logs

from shared.kafka.broker import connected, connecting_in_background, start_together


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


class Subscriber:
    """Records its starts and stops; a start may fail, after `delay` seconds."""

    def __init__(self, error: BaseException | None = None, delay: float = 0.0):
        self.error, self.delay, self.events = error, delay, []

    async def start(self) -> None:
        self.events.append("starting")
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        self.events.append("started")

    async def stop(self) -> None:
        self.events.append("stopped")


class Publisher:
    started = False

    async def start(self) -> None:
        self.started = True


class Broker:
    def __init__(self, subscribers: list[Subscriber]):
        self.subscribers, self.publishers, self.running, self.connected = subscribers, [Publisher()], False, False

    async def connect(self) -> None:
        self.connected = True


async def test_the_subscribers_start_at_once_then_the_publishers_and_the_broker_runs():
    subscribers = [Subscriber(delay=0.05) for _ in range(9)]
    broker, every = Broker(subscribers), []
    for subscriber in subscribers:
        subscriber.events = every  # one record of all, in the order it happened
    await start_together(broker)
    # Each began before any ended: together, not one after another.
    assert every == ["starting"] * 9 + ["started"] * 9
    assert broker.connected and broker.publishers[0].started and broker.running


async def test_a_failed_start_stops_every_subscriber_after_all_ended_and_raises_the_cause_not_kafka_first():
    slow = Subscriber(delay=0.1)
    broker = Broker([Subscriber(KafkaConnectionError()), slow, Subscriber(ValueError("no such option"))])
    with capture_logs() as logs, pytest.raises(ValueError, match="no such option"):
        await start_together(broker)
    # The slow start ended before the stop: a retry never overlaps a start, and nothing is left running.
    assert slow.events == ["starting", "started", "stopped"]
    assert all(s.events[-1] == "stopped" for s in broker.subscribers)
    assert not broker.running and not broker.publishers[0].started
    assert [entry["event"] for entry in logs] == ["subscriber_start_failed"] * 2


async def test_kafka_away_is_raised_as_itself_for_the_retry():
    broker = Broker([Subscriber(), Subscriber(KafkaConnectionError())])
    with pytest.raises(KafkaConnectionError):
        await start_together(broker)
    assert all(s.events[-1] == "stopped" for s in broker.subscribers)
