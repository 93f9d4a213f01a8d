"""A ledger's read rows imported: each good row admitted like a report sent alone (usecases/progress_acceptance)
and published as progress-reported, or rejected by row number; a preview publishes nothing."""

from pydantic import BaseModel

from services.intake.domain.ledgers import LedgerRow, RejectedRow
from services.intake.usecases.progress_acceptance import ProgressAcceptance
from shared.contracts import ProgressReport, ProgressReported
from shared.web.clients import Client


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


async def import_rows(good: list[LedgerRow], bad: list[RejectedRow], acceptance: ProgressAcceptance,
                        caller: Client | None, source: str, *, preview: bool) -> LedgerImport:
    """`good` and `bad` as domain/ledgers.read_workbook reads them. A row for a region the caller does not act
    for, or that admission refuses, is rejected; the others go through. Rejections are listed in workbook order
    (sheet, row). A row's event id derives from its content, so importing the same ledger twice changes nothing.
    Raises BrokerUnavailable, having published the rows before."""
    sheets = {name: i for i, name in enumerate(dict.fromkeys(r.sheet for r in [*good, *bad]))}  # workbook order
    accepted = []
    rejected = [RejectedRowOut(sheet=r.sheet, row=r.row, reason=r.reason) for r in bad]
    for row in good:
        if caller is not None and not caller.may_act_for(row.report.region_code):
            outside = f"region_code {row.report.region_code} is outside {caller.name}'s region {caller.region_code}"
            rejected.append(RejectedRowOut(sheet=row.sheet, row=row.row, reason=outside))
            continue
        if errors := await acceptance.refusals(row.report):  # the same check as a report sent alone
            refused = "; ".join(e["message"] for e in errors)
            rejected.append(RejectedRowOut(sheet=row.sheet, row=row.row, reason=refused))
            continue
        event = ProgressReported.wrap(row.report, source=source, event_id=row.event_id,
                                      subject=row.report.period_key)
        if not preview:
            await acceptance.publish(event)
        accepted.append(AcceptedRow(sheet=row.sheet, row=row.row, event_id=event.id,
                                    reported_at_from=row.reported_at_from, report=row.report if preview else None))
    return LedgerImport(topic=acceptance.topics.progress_reported, preview=preview, accepted=accepted,
                        rejected=sorted(rejected, key=lambda r: (sheets.get(r.sheet, 0), r.row)))
