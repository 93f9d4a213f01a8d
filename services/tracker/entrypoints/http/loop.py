"""The supervision loop of an assignment: its timeline, and the judgement of a step not taken yet (asked by intake
before it publishes one, so the rule stays in the tracker: domain/loop.py)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from services.tracker.entrypoints.http.dependencies import Caller, ScopedUnit, TrackerDep
from services.tracker.usecases.loop_steps import judgement
from services.tracker.usecases.loops import timeline
from shared.contracts import LoopEvent
from shared.contracts.measures import RegionCode
from shared.web.audit import not_a_change
from shared.web.authentication import authorise, requires
from shared.web.clients import Role
from shared.web.openapi import problem_responses
from shared.web.problems import Problem

router = APIRouter(prefix="/v1", tags=["supervision loop"])


@router.get("/measures/{measure_id}/units/{unit}/timeline", responses=problem_responses(403, 404),
            dependencies=[requires(Role.viewer, Role.reporter)])
async def read_timeline(measure_id: str, unit: ScopedUnit, tracker: TrackerDep) -> dict:
    """An assignment's supervision loop: its loop state, when it was signed for, asked to close, closed out, how
    often returned, and every step (签收, 办结申请, 核查销号, 退回, reopened) with who, when and what, in order; a
    step that did not count says why (`refusal`)."""
    found = await timeline(tracker, f"{measure_id}|{unit}")
    if found is None:
        raise Problem(404, "Assignment not found", f"措施 {measure_id!r} 没有交办给 {unit!r} 的任务。",
                      slug="not-found")
    return found


class Judgement(BaseModel):
    """Whether the step would count now: if not, `kind` (`conflict`: not where the loop stands, HTTP 409;
    `not_allowed`: not by this verifier, HTTP 422) and the reason."""

    counts: bool
    kind: Literal["conflict", "not_allowed"] | None = None
    reason: str | None = None


@router.post("/loop-steps:judge", responses=problem_responses(403, 404), dependencies=[requires(Role.reporter)],
             openapi_extra=not_a_change())
async def judge_step(event: Annotated[LoopEvent, Body()], tracker: TrackerDep, caller: Caller,
                     acting_for: Annotated[RegionCode | None, Query(description=(
                         "the region of whoever takes the step (intake's caller): a checking step's verifier_unit "
                         "must be a registry unit of that region or below"))] = None) -> Judgement:
    """Judge a loop step (a whole CloudEvent of one of the five types) against the assignment's loop as the tracker
    holds it now, as if it arrived now; nothing is kept. A checking step naming a `verifier_unit` the registry does
    not know, or outside `acting_for`, does not count (`not_allowed`). 404 for an assignment the tracker does not
    have."""
    authorise(caller, event.data.region_code, f"{event.data.unit} 的督办环节")
    try:
        refusal = await judgement(tracker, event, acting_for)
    except LookupError as error:
        raise Problem(404, "Assignment not found", str(error), slug="not-found") from error
    return Judgement(counts=True) if refusal is None else Judgement(counts=False, kind=refusal.kind,
                                                                    reason=refusal.reason)
