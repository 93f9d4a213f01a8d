"""Excel ledgers (台账) in: one progress-reported per good row; bad rows are answered by row number."""

from fastapi import APIRouter, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel

from services.intake.api.acceptance import publish_or_problem
from services.intake.api.admission import Admission
from services.intake.api.dependencies import EventSource, Publisher, TopicNames
from services.intake.api.uploads import invalid_file, read_upload
from services.intake.ledgers import LedgerError, read_workbook, template_workbook
from shared.authentication import Caller
from shared.contracts import ProgressReported

router = APIRouter(prefix="/v1/ledgers", tags=["ledgers"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AcceptedRow(BaseModel):
    row: int
    event_id: str


class RejectedRowOut(BaseModel):
    row: int
    reason: str


class LedgerImport(BaseModel):
    topic: str
    accepted: list[AcceptedRow]
    rejected: list[RejectedRowOut]


@router.post(":import", status_code=status.HTTP_202_ACCEPTED, response_model=LedgerImport)
async def import_ledger(file: UploadFile, publisher: Publisher, topics: TopicNames, caller: Caller,
                        source: EventSource, admission: Admission) -> LedgerImport:
    """Publish each good row of the workbook's first sheet; 202 lists accepted and rejected rows (a row for a
    region the caller does not act for is rejected, the others go through).

    A row's event id derives from its content, so importing the same ledger twice changes nothing."""
    try:
        good, bad = read_workbook(await read_upload(file))
    except LedgerError as error:
        raise invalid_file("file", str(error)) from error
    accepted = []
    rejected = [RejectedRowOut(row=r.row, reason=r.reason) for r in bad]
    for row in good:
        if caller is not None and not caller.may_act_for(row.report.region_code):
            rejected.append(RejectedRowOut(row=row.row, reason=f"region_code {row.report.region_code} is outside "
                                                               f"{caller.name}'s region {caller.region_code}"))
            continue
        if errors := await admission(row.report):  # the same check as a report sent alone
            rejected.append(RejectedRowOut(row=row.row, reason="; ".join(e["message"] for e in errors)))
            continue
        event = ProgressReported.wrap(row.report, source=source, event_id=row.event_id,
                                      subject=row.report.period_key)
        await publish_or_problem(publisher, topics.progress_reported, event, key=row.report.assignment_key)
        accepted.append(AcceptedRow(row=row.row, event_id=event.id))
    return LedgerImport(topic=topics.progress_reported, accepted=accepted,
                        rejected=sorted(rejected, key=lambda r: r.row))


@router.get("/template.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the ledger template"}})
async def ledger_template() -> Response:
    """A workbook with the headers in Chinese and English, an example row and notes."""
    return Response(template_workbook(), media_type=XLSX,
                    headers={"content-disposition": 'attachment; filename="ledger-template.xlsx"'})
