from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from services.intake.admission import refused
from services.intake.api.acceptance import Accepted, publish_or_problem
from services.intake.api.admission import Admission
from services.intake.api.dependencies import EventSource, IdempotencyKey, Publisher, TopicNames, event_id_for
from shared.authentication import Caller, authorise
from shared.contracts import ProgressReport, ProgressReported, ProgressWithdrawal, ProgressWithdrawn
from shared.contracts.measures import Name
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1/progress", tags=["progress"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             responses=problem_responses(403, 413, 503))
async def report_progress(
    report: ProgressReport, request: Request, publisher: Publisher, topics: TopicNames, caller: Caller,
    source: EventSource, admission: Admission, idempotency_key: IdempotencyKey = None,
) -> Accepted:
    """Accept a unit's progress report on a measure for a period and publish it as progress-reported (for a unit
    of the caller's region or below). 422 when its time or period lies outside the reporting window, or it names
    a measure or unit intake knows not to exist (services/intake/admission.py)."""
    authorise(caller, report.region_code, f"the report of {report.unit}")
    if errors := await admission(report):
        raise refused(errors)
    event = ProgressReported.wrap(report, source=source, subject=report.period_key,
                                  event_id=await event_id_for(request, idempotency_key, report))
    return await publish_or_problem(publisher, topics.progress_reported, event, key=report.assignment_key)


class Withdrawal(ProgressWithdrawal):
    """A withdrawal as an operator asks for it: the report's key and why; the event id is in the path, and `by`
    is the calling client (given here only when intake runs without clients)."""

    event_id: None = None
    by: Name | None = None


@router.post("/{event_id}:withdraw", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             responses=problem_responses(403, 503))
async def withdraw_progress(
    event_id: Annotated[str, Path(min_length=1, max_length=256)], withdrawal: Withdrawal, publisher: Publisher,
    topics: TopicNames, caller: Caller, source: EventSource,
) -> Accepted:
    """Withdraw a report that should not count (publish progress-withdrawn): the tracker takes it out of the
    current state (the assignment's next latest report becomes current) and keeps it in the history, marked
    withdrawn. To supersede a report, withdraw it and send the corrected one. Authorised like a report: for a
    unit of the caller's region or below."""
    authorise(caller, withdrawal.region_code, f"the report of {withdrawal.unit}")
    by = caller.client_id if caller is not None else withdrawal.by or "operator"
    data = ProgressWithdrawal(**{**withdrawal.model_dump(), "event_id": event_id, "by": by})
    event = ProgressWithdrawn.wrap(data, source=source, subject=f"{data.assignment_key}|{data.period}")
    return await publish_or_problem(publisher, topics.progress_withdrawn, event, key=data.assignment_key)
