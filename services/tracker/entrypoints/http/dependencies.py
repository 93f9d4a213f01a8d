"""What the tracker's routes take, declared once: the read views, the use cases' context, the unit lookup, the
caller (shared/web/authentication.py)."""

from typing import Annotated

from fastapi import Depends, Request

from services.tracker.domain.assignments import UnitLookup
from services.tracker.storage.views import TrackerViews
from services.tracker.usecases.context import Tracker
from shared.web.authentication import Caller


def get_views(request: Request) -> TrackerViews:
    return request.app.state.views


def get_tracker(request: Request) -> Tracker:
    return request.app.state.tracker


async def get_lookup(tracker: Annotated[Tracker, Depends(get_tracker)]) -> UnitLookup:
    return await tracker.repository.unit_lookup()


Views = Annotated[TrackerViews, Depends(get_views)]
TrackerDep = Annotated[Tracker, Depends(get_tracker)]
Lookup = Annotated[UnitLookup, Depends(get_lookup)]

__all__ = ["Caller", "Lookup", "TrackerDep", "Views"]
