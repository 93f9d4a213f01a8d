"""Publishing the outbox (usecases/publishing.py): oldest first, off the outbox only once taken, same ids later."""

import asyncio

from aiokafka.errors import KafkaConnectionError

from services.tracker.domain.assignments import Assignment
from services.tracker.usecases.publishing import OutboxPublisher
from services.tracker.usecases.states import refresh_states
from shared.contracts.assignments import AssignmentUpdated
from tests.unit.tracker.fakes import FakeStates, fake_tracker, report_document


async def states_with_two_revisions() -> FakeStates:
    t = fake_tracker()
    t.repository.assignments["m-1|a"] = Assignment("m-1", "a", "a", "lead", "361000", False)
    t.repository.assignments["m-1|b"] = Assignment("m-1", "b", "b", "lead", "361000", False)
    await refresh_states(t, ["m-1|a", "m-1|b"])
    t.repository.receive(report_document("e1", "a", "2026-Q3", 30, 9))
    await refresh_states(t, ["m-1|a"])
    return t.states


async def test_pending_events_go_oldest_first_under_their_key_and_leave_the_outbox():
    states, sent = await states_with_two_revisions(), []

    async def publish(event: AssignmentUpdated, key: str) -> None:
        sent.append((key, event.id))

    assert await OutboxPublisher(states, publish, 1.0).publish_pending() == 3
    assert sent[-1] == ("m-1|a", "m-1|a#2") and sorted(sent[:2]) == [("m-1|a", "m-1|a#1"), ("m-1|b", "m-1|b#1")]
    assert await states.pending(10) == []
    assert await OutboxPublisher(states, publish, 1.0).publish_pending() == 0


async def test_a_broker_that_refuses_leaves_the_events_pending_and_they_go_later_with_the_same_ids():
    states, sent, refusing = await states_with_two_revisions(), [], [True]

    async def publish(event: AssignmentUpdated, key: str) -> None:
        if refusing[0] and len(sent) == 1:
            raise KafkaConnectionError("refused")
        sent.append(event.id)

    publisher = OutboxPublisher(states, publish, 1.0)
    assert await publisher.publish_pending() == 1  # the first went; the broker refused the second
    assert sum(len(events) for _, _, events in await states.pending(10)) == 2
    refusing[0] = False
    assert await publisher.publish_pending() == 2
    assert sorted(sent) == ["m-1|a#1", "m-1|a#2", "m-1|b#1"] and await states.pending(10) == []


async def test_the_last_pass_at_a_stop_publishes_what_is_pending_and_gives_up_after_its_time():
    states, sent = await states_with_two_revisions(), []

    async def publish(event: AssignmentUpdated, key: str) -> None:
        sent.append(event.id)

    await OutboxPublisher(states, publish, 1.0).last_pass(5.0)
    assert sorted(sent) == ["m-1|a#1", "m-1|a#2", "m-1|b#1"] and await states.pending(10) == []

    stuck_states = await states_with_two_revisions()

    async def stuck(event: AssignmentUpdated, key: str) -> None:
        await asyncio.Event().wait()  # a broker that never answers

    await OutboxPublisher(stuck_states, stuck, 1.0).last_pass(0.05)  # returns, and logs what stays pending
    assert sum(len(events) for _, _, events in await stuck_states.pending(10)) == 3
