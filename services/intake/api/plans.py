"""Plan documents in: parsed into measures, previewed with the unit names the registry cannot resolve,
and imported as one measure-created event per measure."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, UploadFile, status
from pydantic import BaseModel, ValidationError

from services.intake.api.acceptance import publish_or_problem
from services.intake.api.dependencies import EventSource, Publisher, TopicNames
from services.intake.api.registry import known_registry, registry_from_upload
from services.intake.api.uploads import contract_violation, in_worker, invalid_file, read_upload
from services.intake.documents import UnreadableDocument, parse_document
from services.intake.plan_import import DuplicateMeasureIds, measure_event_id, plan_measures
from services.intake.plans.parser import ParsedPlan
from shared.authentication import Caller, authorise
from shared.contracts import Measure, MeasureCreated
from shared.contracts.measures import Identifier, RegionCode
from shared.problems import Problem
from shared.resolution import Directory
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1/plans", tags=["plans"])


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


@router.post(":parse", responses=problem_responses(413))
async def parse(file: UploadFile) -> dict:
    """The measures of a plan document (.txt, .docx or .pdf), as the parser reads them."""
    return (await _parsed(file)).to_json()


@router.post(":import", response_model=PlanImport, response_model_exclude_none=False,
             responses=problem_responses(403, 413, 503))
async def import_plan(
    request: Request, response: Response, publisher: Publisher, topics: TopicNames, caller: Caller,
    source: EventSource, file: UploadFile,
    plan_id: Annotated[Identifier, Form()],
    region_code: Annotated[RegionCode, Form(description="the issuing region (GB/T 2260)")],
    preview: Annotated[bool, Form()] = False,
    start_date: Annotated[dt.date | None, Form(description="default: 1 January of the plan's first year")] = None,
    registry_file: UploadFile | None = None,
) -> PlanImport:
    """Preview (200, nothing published) or import (202) a plan: one measure-created per measure, idempotently.

    Event ids derive from the plan, the measure number and its content: importing the same plan again
    publishes the same ids, which the tracker ignores; a changed measure gets a new id. Importing (not a
    preview) is for the caller's region or below."""
    if not preview:
        authorise(caller, region_code, f"plan {plan_id}")
    plan = await _parsed(file)
    if not plan.is_plan:
        raise invalid_file("file", plan.reason or "not a plan")
    try:
        measures = plan_measures(plan, plan_id, region_code, start_date)
    except ValidationError as error:
        raise contract_violation(error, "A parsed measure", within="file") from error
    except DuplicateMeasureIds as error:  # two measures would share an id: one would silently replace the other
        raise invalid_file("file", str(error)) from error
    registry, registry_source = await _registry_for(request, registry_file)
    unresolved = _unresolved(measures, registry, region_code) if registry else None
    answer = PlanImport(plan_id=plan_id, region_code=region_code, preview=preview,
                        registry=registry_source, unresolved=unresolved)
    if preview:
        answer.plan = plan.to_json()
        return answer
    for measure in measures:
        event = MeasureCreated.wrap(measure, source=source, event_id=measure_event_id(measure),
                                    subject=measure.measure_id)
        await publish_or_problem(publisher, topics.measure_created, event, key=measure.measure_id)
        answer.measures.append(ImportedMeasure(measure_id=measure.measure_id, event_id=event.id))
    answer.topic = topics.measure_created
    response.status_code = status.HTTP_202_ACCEPTED
    return answer


async def _parsed(upload: UploadFile) -> ParsedPlan:
    return await in_worker(parse_document, upload.filename or "", await read_upload(upload),
                           refusals=(UnreadableDocument,))


async def _registry_for(request: Request, upload: UploadFile | None):
    if upload is not None and upload.filename:
        return registry_from_upload(await read_upload(upload, "registry_file"), "registry_file"), "uploaded"
    return known_registry(request)


def _unresolved(measures: list[Measure], registry, region_code: str) -> list[UnresolvedName]:
    directory = Directory(registry)
    if region_code not in directory.regions:
        raise Problem(422, "Unknown region", f"region_code: {region_code} is not in the registry",
                      slug="unknown-region",
                      errors=[{"field": "region_code", "message": "not in the registry", "code": "unknown_region"}])
    names: dict[str, list[str]] = {}
    for measure in measures:
        for name in directory.expand(measure).unresolved:
            names.setdefault(name, []).append(measure.measure_id)
    return [UnresolvedName(name=name, measure_ids=ids) for name, ids in names.items()]
