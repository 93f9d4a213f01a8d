"""Reporting API: consolidated figures, breakdowns and rankings for a region and everything below it.

Every route takes `as_of` (default: today in China; the date deadlines and the current reporting period are evaluated
at, over the state the tracker holds now — not the state as it was then) and `cadence` (the length of the
reporting period for the reporting rate). Figures come from the in-memory snapshot (storage.py).
"""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from services.reporting.domain.periods import Cadence
from services.reporting.domain.snapshot import Snapshot
from services.reporting.storage import Snapshots
from shared.calendar import CHINA

router = APIRouter(prefix="/v1/reports", tags=["reports"])


async def get_snapshot(request: Request) -> Snapshot:
    snapshots: Snapshots = request.app.state.snapshots
    return await snapshots.current()


def today() -> date:
    return datetime.now(CHINA).date()


CurrentSnapshot = Annotated[Snapshot, Depends(get_snapshot)]
RegionCode = Annotated[str, Path(pattern=r"^\d{6}(\d{3})?$", description="GB/T 2260 code (9 digits: township)")]
AsOf = Annotated[date | None, Query(description="evaluate deadlines and the reporting period at this date")]
CadenceQuery = Annotated[Cadence, Query(description="reporting period for the reporting rate")]


@router.get("/regions/{region_code}")
async def region_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                         cadence: CadenceQuery = "quarter") -> dict:
    """The region's figures (its units and everything below it), its own units', and each child region's:
    the region's counts are exactly its own units' plus the sum over its children."""
    return snapshot.region_report(region_code, as_of or today(), cadence)


@router.get("/regions/{region_code}/units")
async def unit_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                       cadence: CadenceQuery = "quarter") -> list[dict]:
    """The same figures for each unit in the region and below, side by side."""
    return snapshot.grouped_report(region_code, as_of or today(), cadence, "units")["rows"]


@router.get("/regions/{region_code}/measures")
async def measure_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                          cadence: CadenceQuery = "quarter") -> dict:
    """Figures per measure, over the region's assignments and below, in the plan's order."""
    return snapshot.grouped_report(region_code, as_of or today(), cadence, "measures")


@router.get("/regions/{region_code}/chapters")
async def chapter_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                          cadence: CadenceQuery = "quarter") -> dict:
    """Figures per chapter of the plan."""
    return snapshot.grouped_report(region_code, as_of or today(), cadence, "chapters")


@router.get("/regions/{region_code}/lead-units")
async def lead_unit_figures(region_code: RegionCode, snapshot: CurrentSnapshot, as_of: AsOf = None,
                            cadence: CadenceQuery = "quarter") -> dict:
    """Figures per lead unit (牵头单位): every assignment of the measures it leads, wherever the lead unit is.
    A measure with two lead units counts under both."""
    return snapshot.grouped_report(region_code, as_of or today(), cadence, "lead_units")


@router.get("/regions/{region_code}/ranking")
async def ranking(region_code: RegionCode, snapshot: CurrentSnapshot,
                  of: Annotated[Literal["regions", "units"], Query(description="child regions, or units")] = "regions",
                  as_of: AsOf = None, cadence: CadenceQuery = "quarter") -> dict:
    """横向排名 by composite score (weights in services/reporting/domain/ranking.py), with the figures behind it."""
    return snapshot.ranking(region_code, as_of or today(), cadence, of)
