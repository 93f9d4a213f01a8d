"""The tracker's read API: the state of a measure and its assignments, a unit's assignments, and a unit's report
history."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.tracker.storage.repository import TrackerRepository
from shared.problems import Problem
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1", tags=["state"])


def get_repository(request: Request) -> TrackerRepository:
    return request.app.state.repository


Repository = Annotated[TrackerRepository, Depends(get_repository)]


@router.get("/measures/{measure_id}", responses=problem_responses(404))
async def read_measure(measure_id: str, repository: Repository) -> dict:
    """A measure with every assignment's current status and percent complete."""
    measure = await repository.measure_with_assignments(measure_id)
    if measure is None:
        raise Problem(404, "Measure not found", f"No measure {measure_id!r} is tracked.", slug="not-found")
    return measure


@router.get("/measures/{measure_id}/units/{unit}/reports", responses=problem_responses(404))
async def read_report_history(measure_id: str, unit: str, repository: Repository) -> list[dict]:
    """Every report a unit made on a measure, oldest first (the last one per period is current; a withdrawn one
    says so under `withdrawn`). 404 for a measure not tracked, or a unit neither assigned nor reporting on it."""
    if await repository.measures.find_one({"_id": measure_id}, {"_id": 1}) is None:
        raise Problem(404, "Measure not found", f"No measure {measure_id!r} is tracked.", slug="not-found")
    reports = await repository.reports_for(measure_id, unit)
    if not reports and await repository.assignments.find_one({"measure_id": measure_id, "unit": unit}) is None:
        raise Problem(404, "Unit not found", f"No unit {unit!r} on measure {measure_id!r}.", slug="not-found")
    return reports


@router.get("/units/{unit}/assignments", responses=problem_responses(404))
async def read_unit_assignments(unit: str, repository: Repository) -> list[dict]:
    """The unit's assignments (its registry unit id), each with its current status and percent complete and its
    measure's number, title, deadlines and targets; empty for a registry unit with none, 404 for a unit neither
    in the registry nor assigned."""
    assignments = await repository.unit_assignments(unit)
    if not assignments:
        directory = (await repository.unit_lookup()).directory
        if directory is None or unit not in directory.unit_regions:
            raise Problem(404, "Unit not found", f"No unit {unit!r} in the registry.", slug="not-found")
    return assignments
