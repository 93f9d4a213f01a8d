"""What reporting's routes take, declared once as Annotated aliases (the app's state is read here only)."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from prometheus_client import CollectorRegistry

from services.reporting.domain.history import History
from services.reporting.domain.periods import Cadence
from services.reporting.domain.snapshot import Snapshot
from services.reporting.domain.years import FIRST_YEAR, NotAskable, period_refusal, year_refusal
from services.reporting.storage.collections import ReportingStore
from services.reporting.storage.documents import DocumentStore
from services.reporting.storage.snapshots import Snapshots
from services.reporting.usecases.scoring import Scoring
from shared.contracts.progress import Period
from shared.domain.calendar import DAY_SPAN, today_in_china
from shared.web.authentication import Caller, authorise
from shared.web.problems import Problem, unknown_region

CODE = r"^[0-9]{6}([0-9]{3})?$"
Day = DAY_SPAN


async def get_snapshot(request: Request) -> Snapshot:
    return await request.app.state.snapshots.current()


async def get_history(request: Request) -> History:
    return await request.app.state.histories.current()


def get_store(request: Request) -> ReportingStore:
    return request.app.state.store


def get_documents(request: Request) -> DocumentStore:
    return request.app.state.documents


def get_home_region(request: Request) -> str:
    return request.app.state.home_region_code


def get_snapshots(request: Request) -> Snapshots:
    return request.app.state.snapshots


def get_scoring(request: Request) -> Scoring:
    return request.app.state.scoring


def get_metrics_targets(request: Request) -> dict[str, str]:
    return request.app.state.metrics_targets


def get_evidence_url(request: Request) -> str:
    return request.app.state.evidence_url


def get_metrics_registry(request: Request) -> CollectorRegistry:
    return request.app.state.metrics.registry


CurrentSnapshot = Annotated[Snapshot, Depends(get_snapshot)]
CurrentHistory = Annotated[History, Depends(get_history)]
Store = Annotated[ReportingStore, Depends(get_store)]
Documents = Annotated[DocumentStore, Depends(get_documents)]
HomeRegion = Annotated[str, Depends(get_home_region)]
SnapshotsDep = Annotated[Snapshots, Depends(get_snapshots)]
ScoringDep = Annotated[Scoring, Depends(get_scoring)]
MetricsTargets = Annotated[dict[str, str], Depends(get_metrics_targets)]
MetricsRegistry = Annotated[CollectorRegistry, Depends(get_metrics_registry)]
EvidenceUrl = Annotated[str, Depends(get_evidence_url)]


def known(snapshot: Snapshot, region_code: str) -> str:
    """404 for a region the registry does not have (when a registry is known: without one, any code is asked)."""
    if snapshot.regions and region_code not in snapshot.regions:
        raise unknown_region(region_code)
    return region_code


async def region_in_path(snapshot: CurrentSnapshot, caller: Caller, region_code: Annotated[str, Path(
        pattern=CODE, description="GB/T 2260 code (9 digits: township)")]) -> str:
    """The region asked: 403 outside the caller's region, 404 for one the registry lacks."""
    authorise(caller, region_code, f"区划 {region_code}")
    return known(snapshot, region_code)


async def region_in_query(snapshot: CurrentSnapshot, caller: Caller, region_code: Annotated[str, Query(
        pattern=CODE, description="GB/T 2260 code")]) -> str:
    authorise(caller, region_code, f"区划 {region_code}")
    return known(snapshot, region_code)



RegionCode = Annotated[str, Depends(region_in_path)]
AnnualRegion = Annotated[str, Depends(region_in_query)]
AsOf = Annotated[date | None, Query(description="evaluate deadlines and the reporting period at this date", **Day)]
CadenceQuery = Annotated[Cadence, Query(description="reporting period for the reporting rate")]
# The years and periods reporting may be asked about (domain/years.py): the schema states the first year; the year in
# progress is today's, which a static document cannot state.
YEARS = {"description": f"the calendar year, from {FIRST_YEAR} to the year in progress in China",
         "json_schema_extra": {"minimum": FIRST_YEAR}}


def not_askable(refusal: NotAskable) -> Problem:
    """422 with the rule's Chinese detail, typed by its slug."""
    title = {"year-out-of-range": "Year out of range", "year-not-begun": "Year not begun",
             "period-not-begun": "Period not begun"}[refusal.slug]
    return Problem(422, title, refusal.detail, slug=refusal.slug)


def asked_year(year: Annotated[int, Query(**YEARS)]) -> int:
    if refusal := year_refusal(year, today_in_china()):
        raise not_askable(refusal)
    return year


def asked_year_or_this(year: Annotated[int | None, Query(**YEARS | {
        "description": YEARS["description"] + " (default: the year in progress)"})] = None) -> int:
    return today_in_china().year if year is None else asked_year(year)


def asked_period(period: Annotated[Period, Query(description=(
        f"2026-10 (month), 2026-Q3, 2026-H1 or 2026: begun, from {FIRST_YEAR} on"))]) -> str:
    if refusal := period_refusal(period, today_in_china()):
        raise not_askable(refusal)
    return period


Year = Annotated[int, Depends(asked_year)]
OptionalYear = Annotated[int, Depends(asked_year_or_this)]
AskedPeriod = Annotated[str, Depends(asked_period)]
