"""A loop step accepted by intake (usecases/loop_steps.py): the tracker's judgement answered as a problem document,
a step it takes published on its own topic under the assignment key, a retry with the same key given the first id."""

import pytest

from services.intake.storage.idempotency import KeyReused
from services.intake.usecases.loop_steps import LoopStepAcceptance
from shared.contracts import AssignmentSigning, CloudEvent, CompletionVerification, Topics
from shared.web.problems import Problem
from tests.unit.intake.usecases.fakes import FakeIdempotency, FakePublisher

ASSIGNMENT = {"measure_id": "m-1", "unit": "u-linchuan", "region_code": "361002"}
SIGNING = AssignmentSigning(**ASSIGNMENT, by="张三")


class FakeJudge:
    """The tracker's judgement (storage/tracker.TrackerLoop) by event type: its answer, None for an unknown
    assignment; every event asked about is kept."""

    def __init__(self, answers: dict[str, dict | None]):
        self.answers, self.asked = answers, []

    async def judgement(self, event: CloudEvent, acting_for: str | None = None) -> dict | None:
        self.asked.append((event, acting_for))
        return self.answers[event.type]


def accepting(**answers) -> tuple[LoopStepAcceptance, FakePublisher]:
    publisher = FakePublisher()
    judged = {event_type.replace("_", "-"): answer for event_type, answer in answers.items()}
    return LoopStepAcceptance(publisher, FakeIdempotency(), FakeJudge(judged), Topics("p.")), publisher


async def test_a_step_the_tracker_takes_is_published_on_its_topic_under_the_assignment_key():
    loop, publisher = accepting(assignment_signed={"counts": True})
    event = await loop.take("assignment-signed", SIGNING, "/duban/intake")
    assert publisher.published == [("p.assignment-signed", event, "m-1|u-linchuan")]
    assert (event.type, event.subject, event.data) == ("assignment-signed", "m-1|u-linchuan", SIGNING)


async def test_the_tracker_is_asked_for_the_callers_region_which_a_verifier_unit_must_lie_in():
    loop, _ = accepting(completion_verified={"counts": True})
    verification = CompletionVerification(**ASSIGNMENT, by="李四", verifier="supervising_office",
                                          verifier_unit="临川区司法局")
    await loop.take("completion-verified", verification, "/duban/intake", acting_for="361002")
    await loop.take("completion-verified", verification, "/duban/intake")  # an open service: no caller
    assert [acting_for for _, acting_for in loop.judge.asked] == ["361002", None]


@pytest.mark.parametrize(("answer", "status", "slug"), [
    ({"counts": False, "kind": "conflict", "reason": "already signed for at …"}, 409, "loop-conflict"),
    ({"counts": False, "kind": "not_allowed", "reason": "u-linchuan cannot check its own completion"}, 422,
     "loop-not-allowed"),
    (None, 422, "unknown-assignment"),
])
async def test_a_step_the_tracker_refuses_is_answered_with_its_reason_and_not_published(answer, status, slug):
    loop, publisher = accepting(completion_verified=answer)
    verification = CompletionVerification(**ASSIGNMENT, by="李四", verifier="supervising_office",
                                          verifier_unit="u-linchuan")
    with pytest.raises(Problem) as refused:
        await loop.take("completion-verified", verification, "/duban/intake")
    assert (refused.value.status, refused.value.slug) == (status, slug)
    assert answer is None or refused.value.detail == answer["reason"]
    assert publisher.published == []


async def test_a_retry_with_the_same_key_gets_the_first_event_id_and_another_body_is_refused():
    loop, publisher = accepting(assignment_signed={"counts": True})
    scope = ("/v1/measures/m-1/units/u-linchuan:sign", "k-1")
    first = await loop.take("assignment-signed", SIGNING, "/duban/intake", scope)
    again = await loop.take("assignment-signed", SIGNING, "/duban/intake", scope)
    assert first.id == again.id and len(publisher.published) == 2  # the tracker keeps an event id once
    with pytest.raises(KeyReused):
        await loop.take("assignment-signed", AssignmentSigning(**ASSIGNMENT, by="王五"), "/duban/intake", scope)
