"""What the tracker's routes take, declared once: the read views, the use cases' context, the unit lookup, the
caller (shared/web/authentication.py)."""

from typing import Annotated

from fastapi import Depends, Request

from services.tracker.domain.assignments import UnitLookup
from services.tracker.storage.views import TrackerViews
from services.tracker.usecases.context import Tracker
from shared.web.authentication import Caller, authorise


def get_views(request: Request) -> TrackerViews:
    return request.app.state.views


def get_tracker(request: Request) -> Tracker:
    return request.app.state.tracker


async def get_lookup(tracker: Annotated[Tracker, Depends(get_tracker)]) -> UnitLookup:
    return await tracker.repository.unit_lookup()


Views = Annotated[TrackerViews, Depends(get_views)]
TrackerDep = Annotated[Tracker, Depends(get_tracker)]
Lookup = Annotated[UnitLookup, Depends(get_lookup)]


async def unit_in_scope(unit: str, caller: Caller, tracker: TrackerDep) -> str:
    """The unit of the path: 403 when the registry places it outside the caller's region (a name the registry
    does not know has no region: the route filters its rows by their own region instead)."""
    if caller is not None:
        directory = (await tracker.repository.unit_lookup()).directory
        region_code = directory.unit_regions.get(unit) if directory is not None else None
        if region_code is not None:
            authorise(caller, region_code, f"单位 {unit}")
    return unit


ScopedUnit = Annotated[str, Depends(unit_in_scope)]

__all__ = ["Caller", "Lookup", "ScopedUnit", "TrackerDep", "Views"]
