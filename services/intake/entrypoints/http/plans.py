"""Plan documents in: parsed into measures, previewed with the unit names the registry cannot resolve,
and imported as one measure-created event per measure (usecases/plan_import.py)."""

from typing import Annotated

from fastapi import APIRouter, Form, Response, UploadFile, status
from pydantic import ValidationError

from services.intake.domain.documents import UnreadableDocument, parse_document
from services.intake.domain.plans.measures import DuplicateMeasureIds, UnknownRegion
from services.intake.domain.plans.parser import ParsedPlan
from services.intake.entrypoints.http.dependencies import EventSource, KnownRegistries, Plans, Settings
from services.intake.entrypoints.http.problems import answering
from services.intake.entrypoints.http.registry import registry_from_upload
from services.intake.entrypoints.http.uploads import (
    contract_violation,
    in_worker,
    invalid_file,
    read_upload,
    upload_body,
)
from services.intake.usecases.plan_import import NotAPlan, PlanImport
from shared.contracts.measures import Identifier, PlanDay, RegionCode
from shared.web.audit import not_a_change
from shared.web.authentication import Caller, authorise
from shared.web.openapi import problem_responses
from shared.web.problems import Problem

router = APIRouter(prefix="/v1/plans", tags=["plans"])


@router.post(":parse", responses=problem_responses(413), openapi_extra={**upload_body(), **not_a_change()})
async def parse(file: UploadFile) -> dict:
    """The measures of a plan document (.txt, .docx or .pdf), as the parser reads them."""
    return (await _parsed(file)).to_json()


@router.post(":import", response_model=PlanImport, response_model_exclude_none=False,
             responses=problem_responses(403, 413, 503), openapi_extra=upload_body(files=2))
async def import_plan(
    response: Response, plans: Plans, known: KnownRegistries, settings: Settings, caller: Caller,
    source: EventSource, file: UploadFile,
    plan_id: Annotated[Identifier, Form()],
    region_code: Annotated[RegionCode, Form(description="the issuing region (GB/T 2260)")],
    preview: Annotated[bool, Form()] = False,
    start_date: Annotated[PlanDay | None, Form(description="default: 1 January of the plan's first year")] = None,
    registry_file: UploadFile | None = None,
) -> PlanImport:
    """Preview (200, nothing published) or import (202) a plan: one measure-created per measure, idempotently.

    Event ids derive from the plan, the measure number and its content: importing the same plan again
    publishes the same ids, which the tracker ignores; a changed measure gets a new id. Importing (not a
    preview) is for the caller's region or below."""
    if not preview:
        authorise(caller, region_code, f"方案 {plan_id}")
    plan = await _parsed(file)
    if registry_file is not None and registry_file.filename:
        registry = registry_from_upload(await read_upload(registry_file, "registry_file"), "registry_file")
        registry_source = "uploaded"
    else:
        registry, registry_source = known.current()
    try:
        with answering(settings.retry_after_seconds):
            answer = await plans.run(plan, plan_id, region_code, preview=preview, start_date=start_date,
                                     registry=registry, registry_source=registry_source, source=source)
    except NotAPlan as error:
        raise invalid_file("file", str(error)) from error
    except ValidationError as error:
        raise contract_violation(error, "A parsed measure", within="file") from error
    except DuplicateMeasureIds as error:  # two measures would share an id: one would silently replace the other
        raise invalid_file("file", str(error)) from error
    except UnknownRegion as error:
        raise Problem(422, "Unknown region", str(error), slug="unknown-region",
                      errors=[{"field": "region_code", "message": "not in the registry",
                               "code": "unknown_region"}]) from error
    if not preview:
        response.status_code = status.HTTP_202_ACCEPTED
    return answer


async def _parsed(upload: UploadFile) -> ParsedPlan:
    return await in_worker(parse_document, upload.filename or "", await read_upload(upload),
                           refusals=(UnreadableDocument,))
