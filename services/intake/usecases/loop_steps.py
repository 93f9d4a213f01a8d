"""A supervision-loop step (sign, request completion, verify, return, reopen) accepted: given its event id (the
Idempotency-Key's, on a retry), judged by the tracker, published on its topic.

Whether the step may be taken is the tracker's rule (it owns the loop: services/tracker/domain/loop.py), so
intake asks it (storage/tracker.TrackerLoop) rather than judging itself, and answers its refusal: 409 where the
loop does not stand for the step, 422 for a verifier who may not check it (also a verifier unit the registry does
not know, or outside the caller's region) or an assignment the tracker lacks. The judgement is of the loop as the
tracker holds it then; the step's arrival on Kafka decides (a step the tracker refuses then is dead-lettered with
the reason).
"""

from typing import Protocol

from services.intake.usecases.ports import Idempotency, Publisher
from shared.contracts import LOOP_EVENTS, CloudEvent, Topics
from shared.contracts.loop import LoopStep
from shared.web.problems import Problem


class Judge(Protocol):
    """storage/tracker.TrackerLoop: `{counts, kind, reason}`, None for an assignment the tracker lacks; raises
    storage.tracker.TrackerUnavailable."""

    async def judgement(self, event: CloudEvent, acting_for: str | None = None) -> dict | None: ...


REFUSAL_STATUS = {"conflict": 409, "not_allowed": 422}


class LoopStepAcceptance:
    def __init__(self, publisher: Publisher, idempotency: Idempotency, judge: Judge, topics: Topics):
        self.publisher, self.idempotency, self.judge, self.topics = publisher, idempotency, judge, topics

    async def take(self, event_type: str, step: LoopStep, source: str,
                   idempotency: tuple[str, str] | None = None, acting_for: str | None = None) -> CloudEvent:
        """Publishes the step as `event_type` (one of shared/contracts/loop.LOOP_EVENTS) and returns the event;
        `acting_for`: the caller's region (None: an open service), which a verifier unit must lie in. Raises Problem
        409/422 for a step the tracker refuses, KeyReused, TrackerUnavailable, BrokerUnavailable."""
        event_id = None if idempotency is None else await self.idempotency.event_id_for(*idempotency, step)
        event = LOOP_EVENTS[event_type].wrap(step, source=source, subject=step.assignment_key, event_id=event_id)
        judgement = await self.judge.judgement(event, acting_for)
        if judgement is None:
            raise Problem(422, "Unknown assignment", f"督办系统中没有措施 {step.measure_id!r} 交办给 {step.unit!r} 的"
                          "任务。", slug="unknown-assignment")
        if not judgement["counts"]:
            raise Problem(REFUSAL_STATUS[judgement["kind"]], "Step refused", judgement["reason"],
                          slug="loop-conflict" if judgement["kind"] == "conflict" else "loop-not-allowed")
        await self.publisher.publish(self.topics.for_loop_event(event_type), event, step.assignment_key)
        return event
