"""The supervision loop's steps on one assignment (usecases/loop_steps.py): the unit signs for it and asks to close
it; the lead unit or the supervising office verifies, returns or reopens it. Authorised for the assignment's region
like a progress report: a unit's system for its own units, an office's client for every unit of its region."""

from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import create_model

from services.intake.entrypoints.http.dependencies import EventSource, Evidence, Idempotency, LoopSteps, Settings
from services.intake.entrypoints.http.evidence import EvidenceIds, cited
from services.intake.entrypoints.http.problems import Accepted, answering
from shared.contracts import (
    AssignmentReopening,
    AssignmentSigning,
    CompletionRequest,
    CompletionReturn,
    CompletionVerification,
)
from shared.contracts.loop import LoopStep
from shared.web.authentication import Caller, authorise, requires
from shared.web.clients import Role
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1/measures/{measure_id}/units/{unit}", tags=["supervision loop"])

MeasureId = Annotated[str, Path(min_length=1, max_length=128)]
UnitName = Annotated[str, Path(min_length=1, max_length=256, description="the unit as the tracker keys it")]


def body_of(contract: type[LoopStep]) -> type[LoopStep]:
    """The step as a caller sends it: the assignment (measure, unit) is in the path."""
    return create_model(contract.__name__ + "Body", __base__=contract, __doc__=contract.__doc__,
                        measure_id=(None, None), unit=(None, None))


async def take(event_type: str, contract: type[LoopStep], measure_id: str, unit: str, body: LoopStep,
               loop: LoopSteps, settings: Settings, idempotency: Idempotency, caller: Caller,
               source: EventSource, sent: dict | None = None) -> Accepted:
    """`sent`: the step's fields as the route read them, when not simply what the body set."""
    authorise(caller, body.region_code, f"{unit} 的任务(按请求所填区划)")
    sent = sent if sent is not None else body.model_dump(exclude_unset=True, exclude={"measure_id", "unit"})
    step = contract.model_validate({**sent, "measure_id": measure_id, "unit": unit})
    with answering(settings.retry_after_seconds):
        event = await loop.take(event_type, step, source, idempotency, None if caller is None else caller.region_code)
    return Accepted.of(event, loop.topics.for_loop_event(event_type))


SigningBody = body_of(AssignmentSigning)
# A request cites its stored evidence files by id; the event carries their references.
RequestBody = create_model("CompletionRequestBody", __base__=body_of(CompletionRequest),
                           __doc__=CompletionRequest.__doc__, evidence_ids=EvidenceIds, evidence_files=(None, None))
VerificationBody, ReturnBody, ReopeningBody = (body_of(CompletionVerification), body_of(CompletionReturn),
                                               body_of(AssignmentReopening))
RESPONSES = problem_responses(403, 409, 503)
# The unit signs for its assignment and asks to close it (reporter); checking a completion (核查: verify, return,
# reopen) is the supervising side's (planner): a unit's own system may not close out its own work by naming a checker.
UNIT_STEP, CHECKING_STEP = [requires(Role.reporter)], [requires(Role.planner)]


@router.post(":sign", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=RESPONSES,
             dependencies=UNIT_STEP)
async def sign(measure_id: MeasureId, unit: UnitName, body: SigningBody, loop: LoopSteps, settings: Settings,
               idempotency: Idempotency, caller: Caller, source: EventSource) -> Accepted:
    """签收: the unit signs for its assignment (publish assignment-signed). 409 when it signed before."""
    return await take("assignment-signed", AssignmentSigning, measure_id, unit, body, loop, settings, idempotency,
                      caller, source)


@router.post(":request-completion", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             responses=RESPONSES, dependencies=UNIT_STEP)
async def request_completion(measure_id: MeasureId, unit: UnitName, body: RequestBody, loop: LoopSteps,
                             evidence: Evidence, settings: Settings, idempotency: Idempotency, caller: Caller,
                             source: EventSource) -> Accepted:
    """办结申请: the unit asks to close its assignment, with a narrative and its evidence: files stored by POST
    /v1/evidence, by id (`evidence_ids`; 422 `unknown-evidence` naming an id not held for the caller), and links or
    names (`evidence`) (publish completion-requested). 409 before signing, while a request waits, or once closed
    out."""
    authorise(caller, body.region_code, f"{unit} 的任务(按请求所填区划)")
    sent = await cited(body, evidence, caller, exclude=frozenset({"measure_id", "unit"}))
    # Cited before publishing, as by a report (a request the tracker then refuses leaves its files listed).
    await evidence.cite(sent.get("evidence_files", []), body.region_code, f"{measure_id}|{unit}")
    return await take("completion-requested", CompletionRequest, measure_id, unit, body, loop, settings,
                      idempotency, caller, source, sent)


@router.post(":verify", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=RESPONSES,
             dependencies=CHECKING_STEP)
async def verify(measure_id: MeasureId, unit: UnitName, body: VerificationBody, loop: LoopSteps, settings: Settings,
                 idempotency: Idempotency, caller: Caller, source: EventSource) -> Accepted:
    """核查销号: the lead unit or the supervising office checked the request and closes the assignment out (publish
    completion-verified). 409 without a waiting request; 422 when the unit checks itself, the `lead_unit` verifier
    is not a lead unit of the measure, or `verifier_unit` is not in the unit registry or not in the caller's region
    or below."""
    return await take("completion-verified", CompletionVerification, measure_id, unit, body, loop, settings,
                      idempotency, caller, source)


@router.post(":return", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=RESPONSES,
             dependencies=CHECKING_STEP)
async def return_completion(measure_id: MeasureId, unit: UnitName, body: ReturnBody, loop: LoopSteps,
                            settings: Settings, idempotency: Idempotency, caller: Caller,
                            source: EventSource) -> Accepted:
    """退回: the request sent back with the reason (publish completion-returned); the unit carries on. 409 and 422
    as for verifying."""
    return await take("completion-returned", CompletionReturn, measure_id, unit, body, loop, settings, idempotency,
                      caller, source)


@router.post(":reopen", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=RESPONSES,
             dependencies=CHECKING_STEP)
async def reopen(measure_id: MeasureId, unit: UnitName, body: ReopeningBody, loop: LoopSteps, settings: Settings,
                 idempotency: Idempotency, caller: Caller, source: EventSource) -> Accepted:
    """Reopen a closed-out assignment, with the reason (publish assignment-reopened). 409 unless closed out; 422 as
    for verifying."""
    return await take("assignment-reopened", AssignmentReopening, measure_id, unit, body, loop, settings,
                      idempotency, caller, source)
