"""A parsed plan imported: its measures as contracts (domain/plans/measures.py), the unit names a registry does
not resolve, and (unless a preview) one measure-created per measure, published idempotently."""

import datetime as dt

from pydantic import BaseModel

from services.intake.domain.plans.measures import measure_event_id, plan_measures, unresolved_names
from services.intake.domain.plans.parser import ParsedPlan
from services.intake.usecases.ports import Publisher
from shared.contracts import MeasureCreated, Registry, Topics


class NotAPlan(ValueError):
    """The document parsed, but the parser judged it is not a plan (the reason is the message)."""


class UnresolvedName(BaseModel):
    name: str
    measure_ids: list[str]


class ImportedMeasure(BaseModel):
    measure_id: str
    event_id: str


class PlanImport(BaseModel):
    plan_id: str
    region_code: str
    preview: bool
    measures: list[ImportedMeasure] = []  # published (empty in a preview)
    topic: str | None = None
    # Resolution needs a registry: an uploaded registry_file, else the one intake last published, else
    # DUBAN_REGISTRY_FILE. Without any, `registry` is null and `unresolved` is null (not checked).
    registry: str | None
    unresolved: list[UnresolvedName] | None
    plan: dict | None = None  # the parse, in a preview


class PlanImports:
    def __init__(self, publisher: Publisher, topics: Topics):
        self.publisher, self.topics = publisher, topics

    async def run(self, plan: ParsedPlan, plan_id: str, region_code: str, *, preview: bool,
                  start_date: dt.date | None = None, registry: Registry | None = None,
                  registry_source: str | None = None, source: str) -> PlanImport:
        """Preview (nothing published, the parse in `plan`) or import the plan. Event ids derive from the plan,
        the measure number and its content, so importing the same plan again publishes the same ids.

        Raises NotAPlan; pydantic's ValidationError for a parsed measure breaking the contract; DuplicateMeasureIds
        and UnknownRegion (domain/plans/measures.py); BrokerUnavailable, having published the measures before."""
        if not plan.is_plan:
            raise NotAPlan(plan.reason or "not a plan")
        measures = plan_measures(plan, plan_id, region_code, start_date)
        unresolved = None if registry is None else [
            UnresolvedName(name=name, measure_ids=ids)
            for name, ids in unresolved_names(measures, registry, region_code).items()]
        answer = PlanImport(plan_id=plan_id, region_code=region_code, preview=preview, registry=registry_source,
                            unresolved=unresolved)
        if preview:
            answer.plan = plan.to_json()
            return answer
        for measure in measures:
            event = MeasureCreated.wrap(measure, source=source, event_id=measure_event_id(measure),
                                        subject=measure.measure_id)
            await self.publisher.publish(self.topics.measure_created, event, measure.measure_id)
            answer.measures.append(ImportedMeasure(measure_id=measure.measure_id, event_id=event.id))
        answer.topic = self.topics.measure_created
        return answer
