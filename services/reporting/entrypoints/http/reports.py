"""Reporting API: consolidated figures, breakdowns and rankings for a region and everything below it.

Every route takes `as_of` (default: today in China; the date deadlines and the current reporting period are
evaluated at, over the assignments as the tracker last published them; the alerts' judgements count as open at
that day's end, or now for a day not over: domain/flags.py) and `cadence` (the length of the reporting period for
the reporting rate). Figures come from the in-memory read model (storage/read_model.py), fed by events. The state
as it was on a past day, and a monthly series, are rebuilt from the reports kept as revisions
(reporting_revisions): `/regions/{code}/as-of/{day}`, `/regions/{code}/history`.
The alerts open now, for the dashboard's alert list: `/regions/{code}/alerts`. The lights at each month end of a
year: `/regions/{code}/lights`.
"""

import asyncio
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from services.reporting.domain import exports
from services.reporting.domain.annual import annual_report
from services.reporting.domain.history import default_months, month_ends
from services.reporting.domain.periods import Cadence
from services.reporting.domain.snapshot import Snapshot
from services.reporting.entrypoints.http.dependencies import (
    CODE,
    AnnualRegion,
    AsOf,
    CadenceQuery,
    CurrentHistory,
    CurrentSnapshot,
    Day,
    EvidenceUrl,
    HomeRegion,
    OptionalYear,
    RegionCode,
    ScoringDep,
    Store,
    Year,
    known,
)
from services.reporting.storage.collections import ReportingStore
from services.reporting.usecases.scoring import Scoring
from shared.contracts.evidence import PREVIEWABLE
from shared.domain.calendar import CHINA, today_in_china
from shared.domain.regions import within
from shared.web.authentication import Caller, authorise
from shared.web.openapi import problem_responses
from shared.web.problems import Problem, unknown_measure, unknown_unit

router = APIRouter(prefix="/v1/reports", tags=["reports"])
MAX_SERIES_MONTHS = 240  # a history series: twenty years of month ends, each one evaluation


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def region_export(snapshot: Snapshot, region_code: str, as_of: date, cadence: Cadence):
    report = snapshot.region_report(region_code, as_of, cadence, today_in_china())
    units = snapshot.grouped_report(region_code, as_of, cadence, "units")["rows"]
    subtitle = f"截至 {report['as_of']} · 报送周期 {report['period']['label']} · 区划代码 {region_code}"
    title = f"{report['name'] or region_code}法治政府建设实施方案落实情况"
    return title, subtitle, exports.region_sheets(report, units)


# Declared before /regions/{region_code}, which would otherwise take "361000.xlsx" as a code and refuse it.
@router.get("/regions/{region_code}.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the workbook"}})
async def region_workbook(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                          cadence: CadenceQuery = "quarter") -> Response:
    """The region's rollup as an Excel workbook: sheets 本级汇总 (the region and its own units), 下级区域
    (each child region) and 责任单位 (each unit), headers in Chinese, formatted for printing."""
    as_of = as_of or today_in_china()
    title, subtitle, sheets = region_export(snapshot, region_code, as_of, cadence)
    return download(exports.workbook_bytes(title, subtitle, sheets), XLSX, f"report-{region_code}-{as_of}.xlsx")


@router.get("/regions/{region_code}.csv", response_class=Response,
            responses={200: {"content": {CSV: {}}, "description": "the CSV (UTF-8 with BOM)"}})
async def region_csv(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                     cadence: CadenceQuery = "quarter") -> Response:
    """The workbook's three sheets in one CSV (UTF-8 with a byte-order mark), each row led by its sheet."""
    as_of = as_of or today_in_china()
    _, _, sheets = region_export(snapshot, region_code, as_of, cadence)
    return download(exports.csv_bytes(sheets), CSV, f"report-{region_code}-{as_of}.csv")


@router.get("/regions/{region_code}")
async def region_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                         cadence: CadenceQuery = "quarter") -> dict:
    """The region's figures (its units and everything below it), its own units', and each child region's:
    the region's counts are exactly its own units' plus the sum over its children. Overdue, lagging and silent
    are the alerts service's judgement of `as_of`: null for a day after today (not judged yet) and for a past day
    before its first judgement (domain/flags.py, `judged`)."""
    return snapshot.region_report(region_code, as_of or today_in_china(), cadence, today_in_china())


@router.get("/regions/{region_code}/units")
async def unit_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                       cadence: CadenceQuery = "quarter") -> list[dict]:
    """The same figures for each unit in the region and below, side by side."""
    return snapshot.grouped_report(region_code, as_of or today_in_china(), cadence, "units")["rows"]


@router.get("/regions/{region_code}/measures")
async def measure_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                          cadence: CadenceQuery = "quarter") -> dict:
    """Figures per measure, over the region's assignments and below, in the plan's order."""
    return snapshot.grouped_report(region_code, as_of or today_in_china(), cadence, "measures")


@router.get("/regions/{region_code}/chapters")
async def chapter_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                          cadence: CadenceQuery = "quarter") -> dict:
    """Figures per chapter and section of the plan, one row naming both."""
    return snapshot.grouped_report(region_code, as_of or today_in_china(), cadence, "chapters")


@router.get("/regions/{region_code}/lead-units")
async def lead_unit_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                            cadence: CadenceQuery = "quarter") -> dict:
    """Figures per lead unit (牵头单位): every assignment of the measures it leads, wherever the lead unit is.
    A measure with two lead units counts under both."""
    return snapshot.grouped_report(region_code, as_of or today_in_china(), cadence, "lead_units")


@router.get("/regions/{region_code}/ranking")
async def ranking(region_code: RegionCode, snapshot: CurrentSnapshot,
                  of: Annotated[Literal["regions", "units"], Query(description="child regions, or units")] = "regions",
                  as_of: AsOf = None, cadence: CadenceQuery = "quarter") -> dict:
    """横向排名 by composite score (weights in services/reporting/domain/ranking.py), with the figures behind it."""
    return snapshot.ranking(region_code, as_of or today_in_china(), cadence, of)


@router.get("/regions/{region_code}/units/{unit}")
async def unit_assignments(region_code: RegionCode, unit: str, snapshot: CurrentSnapshot, as_of: AsOf = None,
                           cadence: CadenceQuery = "quarter") -> dict:
    """One unit's assignments (in the region and below): each measure's status, progress, overdue or not."""
    if not any(assignment["unit"] == unit for assignment in snapshot.assignments):
        raise unknown_unit(unit)
    return snapshot.assignment_rows(region_code, as_of or today_in_china(), cadence, unit=unit)


AlertKind = Literal["overdue", "due_soon", "lagging", "silent", "unsigned", "awaiting_verification"]


@router.get("/regions/{region_code}/alerts")
async def region_alerts(region_code: RegionCode, snapshot: CurrentSnapshot, store: Store,
                        kind: Annotated[list[AlertKind] | None, Query(description="only these kinds")] = None,
                        limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict:
    """预警清单: the alerts open for units in the region and below, as the alerts service last judged them
    (from its alert events, as the read model last read them), the worst first: `{total, counts: {kind:
    {severity: n}}, rows}`, each row with its reason, figures and measure (an alert closed since the read model
    was read is left out of the rows). The alerts service's own `GET /v1/alerts` filters further and
    acknowledges; this list is the dashboard's."""
    listed = snapshot.alert_rows(region_code, kinds=kind or (), limit=limit)
    details = await store.open_alert_details([row["key"] for row in listed["rows"]])
    return {**listed, "rows": [{**details[row["key"]], **row} for row in listed["rows"] if row["key"] in details]}


@router.get("/credential")
async def credential(caller: Caller) -> dict:
    """The caller's credential as the dashboard signs in with it: `{client_id, name, region_code, roles}`; all null
    (and `open`: true) where the service has neither a clients file nor an identity provider."""
    if caller is None:
        return {"client_id": None, "name": None, "region_code": None, "roles": [], "open": True}
    return {"client_id": caller.client_id, "name": caller.name, "region_code": caller.region_code,
            "roles": sorted(caller.roles), "open": False}


@router.get("/measures/{measure_id}", responses=problem_responses(404))
async def measure_detail(measure_id: str, snapshot: CurrentSnapshot, store: Store, home: HomeRegion, caller: Caller,
                         evidence_url: EvidenceUrl, region_code: Annotated[str | None, Query(pattern=CODE)] = None,
                         as_of: AsOf = None, cadence: CadenceQuery = "quarter") -> dict:
    """A measure: its text, deadlines and targets, each assignment (in `region_code` and below, default the
    caller's region, else the home region; 403 outside the caller's) with its evidence files (`evidence_files`: the
    references, each with `download_url` and, for images and PDF, `preview_url` on intake), and the history of
    reports with their narrative and evidence."""
    measure = snapshot.measures.get(measure_id)
    if measure is None:
        raise unknown_measure(measure_id)
    region_code = known(snapshot, region_code) if region_code else caller.region_code if caller else home
    authorise(caller, region_code, f"区划 {region_code}")
    drill = snapshot.assignment_rows(region_code, as_of or today_in_china(), cadence, measure_id=measure_id)
    history = [report_row(r) for r in await store.revisions_counted(measure_id=measure_id)]
    files = await store.evidence_of_measure(measure_id)
    drill["rows"] = [{**row, "evidence_files": linked(files.get(row["unit"], []), evidence_url)}
                     for row in drill["rows"]]
    history = [{**r, "evidence_files": linked(r["evidence_files"] or [], evidence_url)} for r in history]
    names = {row["unit"]: row["unit_name"] for row in drill["rows"]}
    history = [{**r, "unit_name": names.get(r["unit"], r["unit"]),
                "reported_at": r["reported_at"].isoformat() if hasattr(r.get("reported_at"), "isoformat")
                else r.get("reported_at")}
               for r in history if within(r.get("region_code") or "", region_code)]
    fields = ("number", "title", "text", "chapter", "plan_id", "lead_units", "responsible_units", "deadlines",
              "targets", "start_date")
    return {"measure_id": measure_id, **{k: measure.get(k) for k in fields}, **drill, "history": history}


REPORT_ROW = ("measure_id", "unit", "region_code", "period", "status", "percent_complete", "reported_at",
              "narrative", "evidence", "evidence_files", "indicator_values")


def linked(files: list[dict], evidence_url: str) -> list[dict]:
    """Evidence references with the addresses a browser fetches them at on intake: `download_url`, and
    `preview_url` for what a browser shows (images, PDF; None otherwise)."""
    return [{**file, "download_url": f"{evidence_url}/v1/evidence/{file['id']}",
             "preview_url": f"{evidence_url}/v1/evidence/{file['id']}/preview"
             if file["content_type"] in PREVIEWABLE else None} for file in files]


def report_row(revision: dict) -> dict:
    """A revision as a row of the report history (its report: narrative and evidence with it)."""
    return {name: revision.get(name) for name in REPORT_ROW}


async def annual_dataset(store: ReportingStore, snapshot: Snapshot, region_code: str, year: int,
                         scoring: Scoring) -> dict:
    """The year's reports: those made during it (China's calendar) that were current at some revision and were
    not withdrawn (reporting_revisions); the year's 考核 scores within the region."""
    start, end = datetime(year, 1, 1, tzinfo=CHINA), datetime(year + 1, 1, 1, tzinfo=CHINA)
    reports = [report_row(r) for r in await store.revisions_counted(year_start=start, year_end=end)]
    scores = await scoring.ranking(year, region_code)
    return annual_report(snapshot, region_code, year, today_in_china(), reports, scores)


@router.get("/annual.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the workbook"}})
async def annual_workbook(store: Store, snapshot: CurrentSnapshot, region_code: AnnualRegion,
                          year: Year, scoring: ScoringDep) -> Response:
    """The annual dataset as a workbook: 区域汇总, 措施落实情况 (with narrative and evidence), 逾期事项."""
    report = await annual_dataset(store, snapshot, region_code, year, scoring)
    title = f"{report['name'] or region_code}{year}年度法治政府建设情况"
    workbook = exports.workbook_bytes(title, f"截至 {report['as_of']}", exports.annual_sheets(report))
    return download(workbook, XLSX, f"annual-{region_code}-{year}.xlsx")


@router.get("/annual")
async def annual(store: Store, snapshot: CurrentSnapshot, region_code: AnnualRegion, year: Year,
                 scoring: ScoringDep) -> dict:
    """The annual report dataset (年度报告素材) for a region and year: per region figures, per measure status
    with the year's narratives and evidence, the overdue items and the 考核 scores
    (services/reporting/domain/annual.py)."""
    return await annual_dataset(store, snapshot, region_code, year, scoring)


@router.get("/regions/{region_code}/lights")
async def region_lights(region_code: RegionCode, snapshot: CurrentSnapshot, year: OptionalYear) -> dict:
    """亮灯 history: the light at each month end of `year` (the month in progress: today's; later ones null), of the
    region and each child region (with their red/yellow/green counts), each unit in the region and below, and each
    assignment, from the alerts service's assignment-light-changed events (domain/lights.py)."""
    today = today_in_china()
    return await asyncio.to_thread(snapshot.light_history, region_code, year, today)


@router.get("/regions/{region_code}/as-of/{day}")
async def region_figures_then(region_code: RegionCode, day: Annotated[date, Path(**Day)], history: CurrentHistory,
                              cadence: CadenceQuery = "quarter") -> dict:
    """The region's figures as the state stood at the end of `day`, rebuilt from the reports kept as revisions;
    overdue, lagging and silent null where the alerts service had not judged the day (domain/flags.py, `judged`)."""
    return await asyncio.to_thread(history.region_report, region_code, day, today_in_china(), cadence)


@router.get("/regions/{region_code}/history")
async def region_history(
    region_code: RegionCode, history: CurrentHistory, as_of: AsOf = None, cadence: CadenceQuery = "quarter",
    since: Annotated[date | None, Query(description="the first month (default: eleven months before)", **Day)] = None,
) -> dict:
    """A monthly series of the region's figures, each as the state stood at the month's end (the last at as_of);
    at most MAX_SERIES_MONTHS months. Overdue, lagging and silent are null for months before the alerts service's
    first judgement (domain/history.py)."""
    last = as_of or today_in_china()
    if since and (last.year - since.year) * 12 + last.month - since.month >= MAX_SERIES_MONTHS:
        raise Problem(422, "Series too long", f"A series has at most {MAX_SERIES_MONTHS} months; ask from a later "
                      "`since`.", slug="validation-error", errors=[{"field": "since", "message": "too early",
                                                                    "code": "too_long"}])
    days = month_ends(since, last) if since else default_months(last)

    def series() -> list[dict]:
        today = today_in_china()
        return [{key: value for key, value in history.region_report(region_code, day, today, cadence).items()
                 if key not in ("children", "own_units", "trail")} for day in days]

    return {"region_code": region_code, "series": await asyncio.to_thread(series)}
