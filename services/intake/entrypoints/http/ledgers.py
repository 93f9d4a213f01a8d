"""Excel and WPS ledgers (台账) in: one progress-reported per good row, bad rows answered by row number
(usecases/ledger_import.py); the ledger template out (usecases/ledger_template.py)."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile, status
from fastapi.responses import Response

from services.intake.domain.ledgers import LedgerError
from services.intake.domain.ledgers.files import UnreadableLedger, read_ledger
from services.intake.entrypoints.http.dependencies import EventSource, Progress, Settings, Templates
from services.intake.entrypoints.http.problems import answering
from services.intake.entrypoints.http.uploads import in_worker, read_upload, upload_body
from services.intake.usecases.ledger_import import LedgerImport, import_rows
from services.intake.usecases.ledger_template import NoAssignments
from shared.contracts.progress import Period
from shared.web.authentication import Caller, authorise
from shared.web.openapi import problem_responses
from shared.web.problems import Problem

router = APIRouter(prefix="/v1/ledgers", tags=["ledgers"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post(":import", status_code=status.HTTP_202_ACCEPTED, response_model=LedgerImport, openapi_extra=upload_body(),
             responses={200: {"model": LedgerImport, "description": "a preview: each row's report, nothing published"},
                        **problem_responses(403, 413, 503)})
async def import_ledger(file: UploadFile, progress: Progress, settings: Settings, caller: Caller,
                             source: EventSource, response: Response,
                             preview: Annotated[bool, Form()] = False) -> LedgerImport:
    """Publish each good row of the sheets holding a ledger (.xlsx or .xls); 202 lists accepted and rejected
    rows (a row for a region the caller does not act for, or that intake's admission refuses, is rejected, the
    others go through). With `preview=true`, 200 with each row's report as it would be published, and nothing
    published.

    A row's event id derives from its content, so importing the same ledger twice changes nothing."""
    good, bad = await in_worker(read_ledger, await read_upload(file), file.filename or "",
                                refusals=(LedgerError, UnreadableLedger))
    if preview:
        response.status_code = status.HTTP_200_OK
    with answering(settings.retry_after_seconds):
        return await import_rows(good, bad, progress, caller, source, preview=preview)


@router.get("/template.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the ledger template"},
                       **problem_responses(404, 503)})
async def ledger_template(
    templates: Templates, settings: Settings, caller: Caller,
    unit: Annotated[str | None, Query(min_length=1, description="pre-fill with this unit's assignments "
                                      "(its registry unit id)")] = None,
    period: Annotated[Period | None, Query(description="the period the pre-filled rows report on (default the "
                                           "current quarter; a plan reporting monthly: 2026-11)")] = None,
) -> Response:
    """The ledger template (domain/ledgers/template.py): drop-downs for 状态 and 周期, the header protected, notes.
    Without `unit`, blank with an example row; with it, one row per assignment of the unit, from the tracker
    (404 when it has none; with a clients file, only for a unit in the caller's region)."""
    if unit is None:
        content, filename = templates.blank()
    else:
        try:
            with answering(settings.retry_after_seconds):
                content, filename = await templates.for_unit(unit, period,
                                                             partial(authorise, caller, what=f"单位 {unit}"))
        except NoAssignments as error:
            raise Problem(404, "No assignments", str(error), slug="no-assignments") from error
    return Response(content, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{filename}"'})
