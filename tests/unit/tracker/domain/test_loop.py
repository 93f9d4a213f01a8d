"""The supervision loop's state machine (domain/loop.py) at every edge, and in every delivery order."""

from datetime import UTC, datetime
from itertools import permutations

import pytest

from services.tracker.domain.loop import Loop, Step, loop_of, step_of
from shared.contracts import (
    AssignmentReopened,
    AssignmentReopening,
    AssignmentSigned,
    AssignmentSigning,
    CompletionRequest,
    CompletionRequested,
    CompletionReturn,
    CompletionReturned,
    CompletionVerification,
    CompletionVerified,
)
from shared.contracts.loop import LoopState

UNIT, LEAD, OFFICE = "u-linchuan-gov", "u-city-justice", "u-city-office"
SAME = {"measure_id": "m-1", "unit": UNIT, "region_code": "361002"}


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, 1, hour, minute, tzinfo=UTC)


def signed(event_id: str, hour: int) -> Step:
    return step_of(AssignmentSigned.wrap(AssignmentSigning(**SAME, by="张三", signed_at=at(hour)),
                                         source="/test", event_id=event_id))


def requested(event_id: str, hour: int) -> Step:
    return step_of(CompletionRequested.wrap(CompletionRequest(**SAME, by="张三", requested_at=at(hour),
                                                              narrative="已完成", evidence=["f-1", "台账.xlsx"]),
                                            source="/test", event_id=event_id))


def verified(event_id: str, hour: int, verifier: str = "lead_unit", verifier_unit: str = LEAD) -> Step:
    return step_of(CompletionVerified.wrap(CompletionVerification(
        **SAME, by="李四", verifier=verifier, verifier_unit=verifier_unit, verified_at=at(hour), remark="材料齐全"),
        source="/test", event_id=event_id))


def returned(event_id: str, hour: int, verifier_unit: str = LEAD) -> Step:
    return step_of(CompletionReturned.wrap(CompletionReturn(
        **SAME, by="李四", verifier="lead_unit", verifier_unit=verifier_unit, returned_at=at(hour),
        reason="佐证材料不全"), source="/test", event_id=event_id))


def reopened(event_id: str, hour: int) -> Step:
    return step_of(AssignmentReopened.wrap(AssignmentReopening(
        **SAME, by="王五", verifier="supervising_office", verifier_unit=OFFICE, reopened_at=at(hour),
        reason="复核发现未完成"), source="/test", event_id=event_id))


def loop(*steps: Step) -> Loop:
    return loop_of(steps, UNIT, {LEAD})


def refusals(result: Loop) -> dict[str, tuple[str, str]]:
    return {step.event_id: (refusal.kind, refusal.reason) for step, refusal in result.timeline if refusal}


def test_an_assignment_without_steps_is_assigned_and_a_report_alone_takes_it_up():
    assert Loop().state(reported=False) is LoopState.ASSIGNED
    assert Loop().state(reported=True) is LoopState.IN_PROGRESS
    assert Loop().fields(False) == {"loop_state": LoopState.ASSIGNED, "signed_at": None,
                                    "completion_requested_at": None, "closed_out_at": None, "returned_count": 0}


def test_the_whole_loop_signed_reported_requested_verified():
    assert loop(signed("a", 9)).state(reported=False) is LoopState.SIGNED
    assert loop(signed("a", 9)).state(reported=True) is LoopState.IN_PROGRESS
    waiting = loop(signed("a", 9), requested("b", 10))
    assert waiting.state(True) is LoopState.COMPLETION_REQUESTED and waiting.completion_requested_at == at(10)
    closed = loop(signed("a", 9), requested("b", 10), verified("c", 11))
    assert closed.fields(True) == {"loop_state": LoopState.CLOSED_OUT, "signed_at": at(9),
                                   "completion_requested_at": at(10), "closed_out_at": at(11), "returned_count": 0}
    assert [(step.type, refusal) for step, refusal in closed.timeline] == [
        ("assignment-signed", None), ("completion-requested", None), ("completion-verified", None)]
    assert closed.timeline[1][0].data["evidence"] == ["f-1", "台账.xlsx"]


def test_a_return_sends_it_back_in_progress_and_counts_and_a_second_request_can_be_closed():
    back = loop(signed("a", 9), requested("b", 10), returned("c", 11))
    assert back.fields(False) == {"loop_state": LoopState.IN_PROGRESS, "signed_at": at(9),
                                  "completion_requested_at": None, "closed_out_at": None, "returned_count": 1}
    again = loop(signed("a", 9), requested("b", 10), returned("c", 11), requested("d", 12), returned("e", 13),
                 requested("f", 14), verified("g", 15, "supervising_office", OFFICE))
    assert (again.state(True), again.returned_count, again.completion_requested_at) == (
        LoopState.CLOSED_OUT, 2, at(14))


def test_a_reopened_assignment_is_in_progress_again_and_can_be_closed_again():
    opened = loop(signed("a", 9), requested("b", 10), verified("c", 11), reopened("d", 12))
    assert opened.fields(False) == {"loop_state": LoopState.IN_PROGRESS, "signed_at": at(9),
                                    "completion_requested_at": None, "closed_out_at": None, "returned_count": 0}
    assert loop(signed("a", 9), requested("b", 10), verified("c", 11), reopened("d", 12), requested("e", 13),
                verified("f", 14)).closed_out_at == at(14)


@pytest.mark.parametrize(("steps", "refused", "kind", "reason"), [
    ((signed("a", 9), signed("b", 10)), "b", "conflict", "已于 2026-10-01 17:00 签收，不能重复签收"),
    ((requested("a", 9),), "a", "conflict", "尚未签收"),
    ((signed("a", 9), requested("b", 10), requested("c", 11)), "c", "conflict",
     "2026-10-01 18:00 提出的办结申请正在等待核查"),
    ((signed("a", 9), requested("b", 10), verified("c", 11), requested("d", 12)), "d", "conflict",
     "已销号"),
    ((signed("a", 9), verified("b", 10)), "b", "conflict", "没有等待核查的办结申请"),
    ((signed("a", 9), returned("b", 10)), "b", "conflict", "没有等待核查的办结申请"),
    ((signed("a", 9), requested("b", 10), verified("c", 11), verified("d", 12)), "d", "conflict",
     "没有等待核查的办结申请"),
    ((signed("a", 9), reopened("b", 10)), "b", "conflict", "尚未销号"),
    ((signed("a", 9), requested("b", 10), verified("c", 11, "supervising_office", UNIT)), "c", "not_allowed",
     f"{UNIT} 不能核查本单位的办结"),
    ((signed("a", 9), requested("b", 10), returned("c", 11, UNIT)), "c", "not_allowed",
     f"{UNIT} 不能核查本单位的办结"),
    ((signed("a", 9), requested("b", 10), verified("c", 11, "lead_unit", OFFICE)), "c", "not_allowed",
     f"{OFFICE} 不是措施 m-1 的牵头单位（牵头单位：{LEAD}）"),
])
def test_a_step_that_may_not_be_taken_is_refused_with_the_reason_and_changes_nothing(steps, refused, kind, reason):
    result = loop(*steps)
    assert list(refusals(result)) == [refused]
    assert refusals(result)[refused][0] == kind and reason in refusals(result)[refused][1]
    assert result.fields(False) == loop(*[s for s in steps if s.event_id != refused]).fields(False)


def test_a_measure_without_a_lead_unit_says_so_when_a_lead_unit_verifies():
    result = loop_of([signed("a", 9), requested("b", 10), verified("c", 11)], UNIT, set())
    assert refusals(result) == {"c": ("not_allowed", f"{LEAD} 不是措施 m-1 的牵头单位（牵头单位：无）")}


def test_every_delivery_order_ends_in_the_same_loop():
    steps = [signed("a", 9), requested("b", 10), returned("c", 11), requested("d", 12), verified("e", 13),
             signed("f", 14)]  # the second signing is refused wherever it arrives
    expected = loop(*steps)
    assert refusals(expected) == {"f": ("conflict", "已于 2026-10-01 17:00 签收，不能重复签收")}
    for order in permutations(steps):
        assert loop(*order) == expected


def test_a_step_that_came_early_counts_once_the_step_before_it_arrives():
    early = loop(signed("a", 9), verified("c", 11))
    assert refusals(early) == {"c": ("conflict", "没有等待核查的办结申请")}
    assert loop(signed("a", 9), verified("c", 11), requested("b", 10)).state(True) is LoopState.CLOSED_OUT


def test_steps_at_the_same_time_are_ordered_by_event_id_and_a_repeated_id_counts_once():
    result = loop(signed("b", 9), signed("a", 9), signed("a", 9))
    assert [step.event_id for step, _ in result.timeline] == ["a", "b"]
    assert refusals(result) == {"b": ("conflict", "已于 2026-10-01 17:00 签收，不能重复签收")}


def test_times_within_one_millisecond_are_ordered_by_event_id_as_the_database_keeps_them():
    first = step_of(AssignmentSigned.wrap(AssignmentSigning(**SAME, by="张三", signed_at=at(9).replace(
        microsecond=999)), source="/test", event_id="b"))
    second = step_of(AssignmentSigned.wrap(AssignmentSigning(**SAME, by="张三", signed_at=at(9).replace(
        microsecond=1)), source="/test", event_id="a"))
    assert loop(first, second).timeline[0][0].event_id == "a"
