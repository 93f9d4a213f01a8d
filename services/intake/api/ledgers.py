"""Excel and WPS ledgers (台账) in: one progress-reported per good row; bad rows are answered by row number."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel

from services.intake.api.acceptance import publish_or_problem
from services.intake.api.admission import Admission
from services.intake.api.dependencies import EventSource, Publisher, Settings, TopicNames
from services.intake.api.uploads import UnreadableLedger, in_worker, read_ledger, read_upload
from services.intake.ledgers import LedgerError, template_workbook
from services.intake.unit_assignments import unit_assignments
from shared.authentication import Caller, authorise
from shared.contracts import ProgressReport, ProgressReported
from shared.contracts.progress import Period
from shared.problems import Problem
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1/ledgers", tags=["ledgers"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AcceptedRow(BaseModel):
    sheet: str = ""  # a workbook may hold a ledger on several sheets
    row: int
    event_id: str
    reported_at_from: str  # the row, the 填报日期 line above the header, the workbook's saved time, the import
    report: ProgressReport | None = None  # as it would be published, in a preview


class RejectedRowOut(BaseModel):
    sheet: str = ""
    row: int
    reason: str


class LedgerImport(BaseModel):
    topic: str
    preview: bool = False  # nothing was published
    accepted: list[AcceptedRow]
    rejected: list[RejectedRowOut]


@router.post(":import", status_code=status.HTTP_202_ACCEPTED, response_model=LedgerImport,
             responses={200: {"model": LedgerImport, "description": "a preview: each row's report, nothing published"}})
async def import_ledger(file: UploadFile, publisher: Publisher, topics: TopicNames, caller: Caller,
                        source: EventSource, response: Response, admission: Admission,
                        preview: Annotated[bool, Form()] = False) -> LedgerImport:
    """Publish each good row of the sheets holding a ledger (.xlsx or .xls); 202 lists accepted and rejected
    rows (a row for a region the caller does not act for, or that intake's admission refuses, is rejected, the
    others go through). With `preview=true`, 200 with each row's report as it would be published, and nothing
    published.

    A row's event id derives from its content, so importing the same ledger twice changes nothing."""
    good, bad = await in_worker(read_ledger, await read_upload(file), file.filename or "",
                                refusals=(LedgerError, UnreadableLedger))
    sheets = {name: i for i, name in enumerate(dict.fromkeys(r.sheet for r in [*good, *bad]))}  # workbook order
    accepted = []
    if preview:
        response.status_code = status.HTTP_200_OK
    rejected = [RejectedRowOut(sheet=r.sheet, row=r.row, reason=r.reason) for r in bad]
    for row in good:
        if caller is not None and not caller.may_act_for(row.report.region_code):
            outside = f"region_code {row.report.region_code} is outside {caller.name}'s region {caller.region_code}"
            rejected.append(RejectedRowOut(sheet=row.sheet, row=row.row, reason=outside))
            continue
        if errors := await admission(row.report):  # the same check as a report sent alone
            refused = "; ".join(e["message"] for e in errors)
            rejected.append(RejectedRowOut(sheet=row.sheet, row=row.row, reason=refused))
            continue
        event = ProgressReported.wrap(row.report, source=source, event_id=row.event_id,
                                      subject=row.report.period_key)
        if not preview:
            await publish_or_problem(publisher, topics.progress_reported, event, key=row.report.assignment_key)
        accepted.append(AcceptedRow(sheet=row.sheet, row=row.row, event_id=event.id,
                                    reported_at_from=row.reported_at_from, report=row.report if preview else None))
    return LedgerImport(topic=topics.progress_reported, preview=preview, accepted=accepted,
                        rejected=sorted(rejected, key=lambda r: (sheets.get(r.sheet, 0), r.row)))


@router.get("/template.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the ledger template"},
                       **problem_responses(404, 503)})
async def ledger_template(
    settings: Settings, caller: Caller,
    unit: Annotated[str | None, Query(min_length=1, description="pre-fill with this unit's assignments "
                                      "(its registry unit id)")] = None,
    period: Annotated[Period | None, Query(description="the period the pre-filled rows report on (default the "
                                           "current quarter; a plan reporting monthly: 2026-11)")] = None,
) -> Response:
    """The ledger template (ledgers/template.py): drop-downs for 状态 and 周期, the header protected, notes.
    Without `unit`, blank with an example row; with it, one row per assignment of the unit, from the tracker
    (404 when it has none; with a clients file, only for a unit in the caller's region)."""
    if unit is None:
        content, filename = template_workbook(), "ledger-template.xlsx"
    else:
        assignments = await unit_assignments(settings.tracker_url, unit, settings.tracker_timeout_seconds,
                                             settings.retry_after_seconds)
        if not assignments:
            raise Problem(404, "No assignments", f"the tracker holds no assignments for unit {unit!r}",
                          slug="no-assignments")
        for assignment in assignments:
            authorise(caller, assignment["region_code"], f"unit {unit}")
        content, filename = template_workbook(assignments, period=period), f"ledger-{_filename_safe(unit)}.xlsx"
    return Response(content, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{filename}"'})


def _filename_safe(unit: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in ".-_") else "_" for c in unit)
