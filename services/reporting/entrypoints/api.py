"""Reporting API: consolidated figures for a region and everything below it."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from services.reporting.domain.rollup import rollup, rollup_by
from shared.state import TrackerState

router = APIRouter(prefix="/v1/reports", tags=["reports"])


def get_state(request: Request) -> TrackerState:
    return request.app.state.tracker_state


State = Annotated[TrackerState, Depends(get_state)]
RegionCode = Annotated[str, Path(pattern=r"^\d{6}(\d{3})?$", description="GB/T 2260 code")]


@router.get("/regions/{region_code}")
async def region_figures(region_code: RegionCode, state: State) -> dict:
    """Assignments by status and average percent complete for a region, its units and all below it."""
    figures = rollup(await state.assignments(region_code=region_code))
    return {"region_code": region_code, **figures.as_dict()}


@router.get("/regions/{region_code}/units")
async def unit_figures(region_code: RegionCode, state: State) -> list[dict]:
    """The same figures for each unit in the region and below, side by side."""
    by_unit = rollup_by(await state.assignments(region_code=region_code), "unit")
    return [{"unit": unit, **figures.as_dict()} for unit, figures in by_unit.items()]
