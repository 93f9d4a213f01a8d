from fastapi import APIRouter, Request, status

from services.intake.admission import refused
from services.intake.api.acceptance import Accepted, publish_or_problem
from services.intake.api.admission import Admission
from services.intake.api.dependencies import EventSource, IdempotencyKey, Publisher, TopicNames, event_id_for
from shared.authentication import Caller, authorise
from shared.contracts import ProgressReport, ProgressReported

router = APIRouter(prefix="/v1/progress", tags=["progress"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
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
