"""The loop's steps (usecases/loop_steps.py) on in-memory repositories: kept once, judged, refused with the reason,
and published in assignment-updated whatever the delivery order."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from services.tracker.domain.assignments import Assignment, UnitLookup
from services.tracker.domain.loop import Refusal
from services.tracker.usecases.loop_steps import judgement, record_loop_steps
from services.tracker.usecases.states import refresh_states
from shared.contracts import (
    AssignmentSigned,
    AssignmentSigning,
    CompletionRequest,
    CompletionRequested,
    CompletionVerification,
    CompletionVerified,
)
from tests.unit.tracker.domain.test_loop import LEAD, OFFICE, SAME, UNIT, at
from tests.unit.tracker.fakes import fake_tracker, report_document

KEY = f"m-1|{UNIT}"


def sign(event_id: str = "s", hour: int = 9, **changes) -> AssignmentSigned:
    return AssignmentSigned.wrap(AssignmentSigning(**{**SAME, **changes}, by="张三", signed_at=at(hour)),
                                 source="/test", event_id=event_id)


def request(event_id: str = "r", hour: int = 10) -> CompletionRequested:
    return CompletionRequested.wrap(CompletionRequest(**SAME, by="张三", requested_at=at(hour), narrative="已完成"),
                                    source="/test", event_id=event_id)


def verify(event_id: str = "v", hour: int = 11, verifier_unit: str = LEAD,
           verifier: str = "lead_unit") -> CompletionVerified:
    return CompletionVerified.wrap(CompletionVerification(**SAME, by="李四", verifier=verifier,
                                                          verifier_unit=verifier_unit, verified_at=at(hour)),
                                   source="/test", event_id=event_id)


def assigned_tracker():
    t = fake_tracker()
    t.repository.assignments[KEY] = Assignment("m-1", UNIT, "临川区政府", "responsible", "361002", True)
    t.repository.assignments[f"m-1|{LEAD}"] = Assignment("m-1", LEAD, "市司法局", "lead", "361000", True)
    return t


def state(t) -> dict:
    return t.states.documents[KEY]["state"]


async def test_each_step_publishes_the_loop_once_however_often_it_comes():
    t = assigned_tracker()
    assert await record_loop_steps(t, [sign()]) == {}
    assert (state(t)["loop_state"], state(t)["signed_at"], t.states.documents[KEY]["revision"]) == (
        "signed", "2026-10-01T09:00:00Z", 1)
    assert await record_loop_steps(t, [sign(), sign()]) == {}
    assert t.states.documents[KEY]["revision"] == 1
    assert await record_loop_steps(t, [request(), verify()]) == {}
    assert {field: state(t)[field] for field in ("loop_state", "completion_requested_at", "closed_out_at")} == {
        "loop_state": "closed_out", "completion_requested_at": "2026-10-01T10:00:00Z",
        "closed_out_at": "2026-10-01T11:00:00Z"}
    outbox = t.states.documents[KEY]["outbox"]
    assert [event["data"]["loop_state"] for event in outbox] == ["signed", "closed_out"]


async def test_the_first_report_after_signing_puts_the_assignment_in_progress():
    t = assigned_tracker()
    await record_loop_steps(t, [sign()])
    t.repository.receive(report_document("p", UNIT, "2026-Q3", 40, 12))
    await refresh_states(t, [KEY])
    assert (state(t)["loop_state"], state(t)["percent_complete"]) == ("in_progress", 40)


async def test_a_step_on_an_assignment_the_tracker_lacks_is_refused_and_not_kept():
    t = assigned_tracker()
    stranger = sign("x", unit="u-nobody")
    assert await record_loop_steps(t, [stranger]) == {
        "x": "措施 'm-1' 没有交办给 'u-nobody' 的任务：该措施尚未创建（或仍在途中），或未列出该单位"}
    assert t.loops.steps == {} and t.states.documents == {}


async def test_a_refused_step_is_answered_with_its_reason_kept_in_the_timeline_and_changes_nothing():
    t = assigned_tracker()
    await record_loop_steps(t, [sign()])
    refused = await record_loop_steps(t, [sign("again", 10), verify("own", 11, verifier_unit=UNIT)])
    assert refused == {
        "again": "assignment-signed 未采纳（conflict）：已于 2026-10-01 17:00 签收，不能重复签收",
        "own": f"completion-verified 未采纳（not_allowed）：{UNIT} 不能核查本单位的办结：由牵头单位或督查机构核查"}
    assert set(t.loops.steps) == {"s", "again", "own"}
    assert (state(t)["loop_state"], t.states.documents[KEY]["revision"]) == ("signed", 1)


async def test_a_verification_that_came_before_its_request_counts_once_the_request_arrives():
    t = assigned_tracker()
    assert await record_loop_steps(t, [sign()]) == {}
    assert await record_loop_steps(t, [verify()]) == {
        "v": "completion-verified 未采纳（conflict）：没有等待核查的办结申请"}
    assert await record_loop_steps(t, [request()]) == {}
    assert state(t)["loop_state"] == "closed_out"
    assert await record_loop_steps(t, [verify()]) == {}  # a retry of it now finds it counted


async def test_the_judgement_of_a_step_not_taken_yet():
    t = assigned_tracker()
    assert await judgement(t, sign()) is None
    await record_loop_steps(t, [sign()])
    assert await judgement(t, sign()) is None  # the same event again: judged as kept
    refusal = await judgement(t, sign("other", 12))
    assert (refusal.kind, refusal.reason) == ("conflict", "已于 2026-10-01 17:00 签收，不能重复签收")
    assert (await judgement(t, verify(verifier_unit=OFFICE))).kind == "not_allowed"
    with pytest.raises(LookupError, match="没有交办给 'u-nobody' 的任务"):
        await judgement(t, sign(unit="u-nobody"))


async def test_a_step_dated_before_the_measure_starts_or_in_the_future_is_refused_and_not_kept():
    t = assigned_tracker()
    t.repository.starts["m-1"] = date(2026, 11, 1)
    future = AssignmentSigned.wrap(AssignmentSigning(**SAME, by="张三", signed_at=datetime.now(UTC) + timedelta(
        days=1)), source="/test", event_id="future")
    refused = await record_loop_steps(t, [sign("early"), future])
    assert "assignment-signed 的时间 2026-10-01 17:00 早于方案开始时间" in refused["early"]
    assert "晚于当前时间" in refused["future"]
    assert t.loops.steps == {}
    assert (await judgement(t, sign("early"))).kind == "not_allowed"


async def test_a_step_naming_another_region_than_its_assignments_is_refused_and_not_kept():
    t = assigned_tracker()
    elsewhere = sign(event_id="s-elsewhere", region_code="361003")  # 东乡区's client acting on 临川区's unit
    assert "所填区划为 361003，但" in (await judgement(t, elsewhere)).reason
    assert (await judgement(t, elsewhere)).kind == "not_allowed"
    refused = await record_loop_steps(t, [elsewhere])
    assert "的任务属于区划 361002" in refused["s-elsewhere"]
    assert (await t.loops.of([KEY])).get(KEY, []) == [] and state(t)["loop_state"] == "assigned"  # not kept
    assert await record_loop_steps(t, [sign()]) == {} and state(t)["loop_state"] == "signed"  # its own region is


def registered_tracker():
    """The assignment with the demo registry published: the city's justice bureau (361000.justice) leads."""
    t = assigned_tracker()
    t.repository.lookup = UnitLookup(load_registry(DEMO_REGISTRY))
    del t.repository.assignments[f"m-1|{LEAD}"]
    t.repository.assignments["m-1|361000.justice"] = Assignment("m-1", "361000.justice", "市司法局", "lead", "361000",
                                                                True)
    return t


async def test_a_checking_step_naming_a_verifier_unit_the_registry_lacks_is_refused_and_not_kept():
    t = registered_tracker()
    await record_loop_steps(t, [sign(), request()])
    typo = verify("typo", verifier_unit="市司法具")
    assert await judgement(t, typo) == Refusal(
        "not_allowed", "completion-verified：核查单位 '市司法具' 不在单位名录中：请填写名录中的单位名称或编号")
    assert await record_loop_steps(t, [typo]) == {
        "typo": "completion-verified：核查单位 '市司法具' 不在单位名录中：请填写名录中的单位名称或编号"}
    assert "typo" not in t.loops.steps and state(t)["loop_state"] == "completion_requested"


async def test_a_verifier_unit_outside_the_callers_region_is_refused_when_judged_for_that_caller():
    t = registered_tracker()
    await record_loop_steps(t, [sign(), request()])
    by_the_city = verify("v", verifier_unit="361000.justice")
    refusal = await judgement(t, by_the_city, acting_for="361002")  # 临川区's planner naming the city's bureau
    assert refusal.kind == "not_allowed" and "属于区划 361000，不在区划 361002 及其下级" in refusal.reason
    assert await judgement(t, by_the_city, acting_for="361000") is None
    assert await judgement(t, verify("w", verifier_unit="临川区司法局", verifier="supervising_office"),
                           acting_for="361002") is None
    assert await record_loop_steps(t, [by_the_city]) == {} and state(t)["loop_state"] == "closed_out"
