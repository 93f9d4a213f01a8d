"""Measures in, one at a time: published as measure-created (usecases/measure_creation.py)."""

from fastapi import APIRouter, status

from services.intake.entrypoints.http.dependencies import EventSource, Idempotency, Measures, Settings
from services.intake.entrypoints.http.problems import Accepted, answering
from shared.contracts import Measure
from shared.web.authentication import Caller, authorise
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1/measures", tags=["measures"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             responses=problem_responses(403, 413, 503))
async def create_measure(measure: Measure, measures: Measures, settings: Settings, idempotency: Idempotency,
                         caller: Caller, source: EventSource) -> Accepted:
    """Accept a measure of a plan and publish it as measure-created (for the caller's region or below)."""
    authorise(caller, measure.region_code, f"措施 {measure.measure_id}")
    with answering(settings.retry_after_seconds):
        event = await measures.run(measure, source, idempotency)
    return Accepted.of(event, measures.topics.measure_created)
