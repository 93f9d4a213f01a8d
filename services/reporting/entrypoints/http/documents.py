"""Documents in the form offices file, as .docx in the GB/T 9704 layout (domain/documents/): the 督办通报 of a
region and period and the 年度报告, made on demand; and the documents filed on the schedule (usecases/bulletins.py),
listed and downloaded. Generation runs in a worker thread (a city's bulletin takes a few seconds)."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.reporting.domain.documents.annual import annual_docx
from services.reporting.domain.documents.bulletin import bulletin, bulletin_docx
from services.reporting.domain.snapshot import Snapshot
from services.reporting.entrypoints.http.dependencies import (
    CODE,
    AnnualRegion,
    AskedPeriod,
    CurrentSnapshot,
    Documents,
    RegionCode,
    ScoringDep,
    Store,
    Year,
)
from services.reporting.entrypoints.http.reports import annual_dataset, download
from shared.domain.calendar import today_in_china
from shared.web.authentication import Caller, authorise, in_scope
from shared.web.openapi import problem_responses
from shared.web.problems import Problem

router = APIRouter(prefix="/v1/reports", tags=["documents"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_RESPONSE = {200: {"content": {DOCX: {}}, "description": "the .docx"}, **problem_responses(404)}


def known_region(snapshot: Snapshot, region_code: str) -> None:
    if region_code not in snapshot.regions:
        raise Problem(404, "Unknown region", f"单位名录中没有区划 {region_code}。", slug="unknown-region")


@router.get("/regions/{region_code}/bulletin.docx", response_class=Response, responses=DOCX_RESPONSE)
async def bulletin_document(
    region_code: RegionCode, snapshot: CurrentSnapshot, scoring: ScoringDep,
    period: AskedPeriod,
    issue: Annotated[int | None, Query(ge=1, le=99, description="the issue number (第N期)")] = None,
) -> Response:
    """督办通报 for the region and period: its figures, the ranking, the 考核 scores of the period's year so far, the
    overdue and lagging items by unit, the units named (domain/documents/bulletin.py). 422 for a period not begun
    or before the first plan year (domain/years.py)."""
    known_region(snapshot, region_code)
    scores = await scoring.ranking(int(period[:4]), region_code)
    content = await asyncio.to_thread(bulletin, snapshot, region_code, period, today_in_china(), scores)
    document = await asyncio.to_thread(bulletin_docx, content, issue)
    return download(document, DOCX, f"bulletin-{region_code}-{period}.docx")


@router.get("/annual.docx", response_class=Response, responses=DOCX_RESPONSE)
async def annual_document(store: Store, snapshot: CurrentSnapshot, region_code: AnnualRegion,
                          year: Year, scoring: ScoringDep) -> Response:
    """年度报告 draft for the region and year: figures, regions, measures by chapter, the year's progress, the
    overdue items (domain/documents/annual.py). 422 for a year not begun or before the first plan year."""
    known_region(snapshot, region_code)
    report = await annual_dataset(store, snapshot, region_code, year, scoring)
    return download(await asyncio.to_thread(annual_docx, report), DOCX, f"annual-{region_code}-{year}.docx")


@router.get("/documents", responses=problem_responses(404))
async def filed_documents(store: Documents, snapshot: CurrentSnapshot, caller: Caller,
                          region_code: Annotated[str | None, Query(pattern=CODE)] = None) -> list[dict]:
    """The documents filed on the schedule, the newest first: id, kind, region_code, period, filename, size,
    created_at; those in the caller's region and below. 404 for a region the registry does not have."""
    if region_code is not None:
        known_region(snapshot, region_code)
        authorise(caller, region_code, "这些文书")
    return [document for document in await store.listing(region_code) if in_scope(caller, document["region_code"])]


@router.get("/documents/{document_id}.docx", response_class=Response, responses=DOCX_RESPONSE)
async def filed_document(document_id: str, store: Documents, caller: Caller) -> Response:
    """A filed document's .docx (403 for a region outside the caller's)."""
    found = await store.content(document_id)
    if found is None:
        raise Problem(404, "Unknown document", f"没有编号为 {document_id} 的文档。", slug="unknown-document")
    region_code, content = found
    authorise(caller, region_code, f"文书 {document_id}")
    return download(content, DOCX, f"{document_id}.docx")

