"""Publishing the outbox: the assignment-updated events written with the states (storage/states.py) go to Kafka,
handed over oldest first and a page at once, and leave the outbox only once Kafka acknowledged them.

At least once, with stable ids: a crash (or a broker that refuses) after the state's write leaves its event
pending; the next pass (after the next batch, every `interval` seconds, and at start) publishes it with the same
id `<key>#<revision>`. A crash between Kafka's acknowledgement and the removal publishes it again, same id;
consumers keep the highest revision per key, so a repeat or an older revision arriving late (one refused and sent
again after a newer one went) changes nothing.
Each process publishes from one task (run()), so it never sends an event twice itself; two trackers may both
send one that both found pending (allowed: at least once).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from services.tracker.storage.states import AssignmentStates
from shared.contracts.assignments import AssignmentUpdated

# Publishes one event under its key (the assignment key); raises when the broker does not take it.
Publish = Callable[[AssignmentUpdated, str], Awaitable[None]]
PAGE = 1000  # pending documents read per pass
log = structlog.get_logger()


class OutboxPublisher:
    def __init__(self, states: AssignmentStates, publish: Publish, interval_seconds: float):
        self.states, self.publish, self.interval = states, publish, interval_seconds
        self.woken = asyncio.Event()

    def wake(self) -> None:
        """Called after states were written with their events: publish them now rather than at the next tick."""
        self.woken.set()

    async def publish_pending(self) -> int:
        """Publishes every pending event, a page of documents at a time, all of a page at once (the producer
        batches them into a few requests rather than one round trip each; oldest first in the order they are
        handed over: by decision time, then key and revision). What the broker refuses stays pending for the next
        pass, and this pass stops after that page. Returns how many were published."""
        count = 0
        while pending := await self.states.pending(PAGE):
            events = sorted(((event["time"], key, event["data"]["revision"], event)
                             for key, _, outbox in pending for event in outbox), key=lambda e: e[:3])
            updates = [AssignmentUpdated.model_validate(data) for *_, data in events]
            outcomes = await asyncio.gather(*(self.publish(event, key) for (_, key, _, _), event
                                              in zip(events, updates, strict=True)), return_exceptions=True)
            sent: dict[str, list[str]] = {}
            refused: set[str] = set()
            for (_, key, _, _), event, outcome in zip(events, updates, outcomes, strict=True):
                if isinstance(outcome, BaseException):  # Kafka unreachable or refusing: it stays pending
                    refused.add(key)
                    refusal = outcome
                else:
                    sent.setdefault(key, []).append(event.id)
            await self.states.published(sent, {key: revision for key, revision, _ in pending if key not in refused})
            published = sum(map(len, sent.values()))
            count += published
            if refused:
                log.warning("assignment_updated_publish_failed", error=repr(refusal), published=count,
                            refused=len(events) - published)
                break
            if len(pending) < PAGE:
                break
        return count

    async def last_pass(self, timeout_seconds: float) -> None:
        """At a stop, once consuming stopped: publishes what is pending, for at most `timeout_seconds`; what is left
        (the broker or the database away) stays pending for the next start."""
        try:
            published = await asyncio.wait_for(self.publish_pending(), timeout_seconds)
            log.info("assignment_updates_published_at_stop", count=published)
        except Exception as error:
            log.warning("outbox_publish_at_stop_failed", error=repr(error))

    async def run(self) -> None:
        """Publishes at start (what a crash left), then whenever woken, and every `interval` seconds."""
        while True:
            self.woken.clear()
            try:
                published = await self.publish_pending()
                if published:
                    log.info("assignment_updates_published", count=published)
            except Exception as error:  # the database away: the next tick tries again
                log.warning("outbox_publish_failed", error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.woken.wait(), self.interval)
