"""The tracker's read API: the state of a measure and its assignments, a unit's assignments, and a unit's report
history."""

from fastapi import APIRouter

from services.tracker.entrypoints.http.dependencies import Caller, Lookup, ScopedUnit, Views
from shared.web.authentication import in_scope
from shared.web.openapi import problem_responses
from shared.web.problems import Problem, unknown_measure, unknown_unit

router = APIRouter(prefix="/v1", tags=["state"])


@router.get("/measures/{measure_id}", responses=problem_responses(404))
async def read_measure(measure_id: str, views: Views, caller: Caller) -> dict:
    """A measure with every assignment's current status and percent complete (those in the caller's region)."""
    measure = await views.measure_with_assignments(measure_id)
    if measure is None:
        raise unknown_measure(measure_id)
    return {**measure, "assignments": [a for a in measure["assignments"] if in_scope(caller, a["region_code"])]}


@router.get("/measures/{measure_id}/units/{unit}/reports", responses=problem_responses(404))
async def read_report_history(measure_id: str, unit: ScopedUnit, views: Views, caller: Caller) -> list[dict]:
    """Every report a unit made on a measure, oldest first (the last one per period is current; a withdrawn one
    says so under `withdrawn`). 403 for a unit outside the caller's region, 404 for a measure not tracked, or a
    unit neither assigned nor reporting on it."""
    if not await views.measure_exists(measure_id):
        raise unknown_measure(measure_id)
    reports = [r for r in await views.reports_for(measure_id, unit) if in_scope(caller, r.get("region_code"))]
    if not reports and not await views.is_assigned(measure_id, unit):
        raise unknown_unit(unit, measure_id)
    return reports


@router.get("/units/{unit}/assignments", responses=problem_responses(404))
async def read_unit_assignments(unit: ScopedUnit, views: Views, lookup: Lookup, caller: Caller) -> list[dict]:
    """The unit's assignments (its registry unit id), each with its current status and percent complete and its
    measure's number, title, deadlines and targets; empty for a registry unit with none, 404 for a unit neither
    in the registry nor assigned."""
    assignments = [a for a in await views.unit_assignments(unit) if in_scope(caller, a.get("region_code"))]
    if not assignments and (lookup.directory is None or unit not in lookup.directory.unit_regions):
        raise Problem(404, "Unit not found", f"单位名录中没有单位 {unit!r}。", slug="not-found")
    return assignments
