from fastapi import APIRouter, Request, status

from services.intake.api.acceptance import Accepted, publish_or_problem
from services.intake.api.dependencies import IdempotencyKey, Publisher, TopicNames, event_id_for
from shared.contracts import ProgressReport, ProgressReported

router = APIRouter(prefix="/v1/progress", tags=["progress"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
async def report_progress(
    report: ProgressReport, request: Request, publisher: Publisher, topics: TopicNames,
    idempotency_key: IdempotencyKey = None,
) -> Accepted:
    """Accept a unit's progress report on a measure for a period and publish it as progress-reported."""
    event = ProgressReported.wrap(report, source=publisher.settings.event_source, subject=report.period_key,
                                  event_id=await event_id_for(request, idempotency_key, report))
    return await publish_or_problem(publisher, topics.progress_reported, event, key=report.assignment_key)
