from fastapi import APIRouter, Request, status

from services.intake.api.acceptance import Accepted, publish_or_problem
from services.intake.api.dependencies import EventSource, IdempotencyKey, Publisher, TopicNames, event_id_for
from shared.authentication import Caller, authorise
from shared.contracts import Measure, MeasureCreated
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1/measures", tags=["measures"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             responses=problem_responses(403, 413, 503))
async def create_measure(
    measure: Measure, request: Request, publisher: Publisher, topics: TopicNames, caller: Caller,
    source: EventSource, idempotency_key: IdempotencyKey = None,
) -> Accepted:
    """Accept a measure of a plan and publish it as measure-created (for the caller's region or below)."""
    authorise(caller, measure.region_code, f"measure {measure.measure_id}")
    event = MeasureCreated.wrap(measure, source=source, subject=measure.measure_id,
                                event_id=await event_id_for(request, idempotency_key, measure))
    accepted = await publish_or_problem(publisher, topics.measure_created, event, key=measure.measure_id)
    request.app.state.catalogue.add(measure)  # reports on it are admitted before it comes back from Kafka
    return accepted
