"""The supervision loop's work lists (domain/inbox.py), from the read model: a unit's inbox and a region's
verification queue, as of today (China)."""

from fastapi import APIRouter

from services.reporting.domain.inbox import inbox, verification_queue
from services.reporting.entrypoints.http.dependencies import CurrentSnapshot, RegionCode
from shared.domain.calendar import today_in_china
from shared.web.authentication import Caller, authorise
from shared.web.openapi import problem_responses
from shared.web.problems import Problem

router = APIRouter(prefix="/v1", tags=["loop"])


@router.get("/units/{unit}/inbox", responses=problem_responses(403, 404))
async def unit_inbox(unit: str, snapshot: CurrentSnapshot, caller: Caller) -> dict:
    """待办: the unit's assignments to sign for, to report on and returned to it (`{to_sign, to_report, returned,
    counts}`), each with its measure, loop state, light and whether it reported on the current period. 404 for a
    unit without an assignment; 403 for a unit outside the caller's region."""
    region_code = next((view["region_code"] for view in snapshot.assignments if view["unit"] == unit), None)
    if region_code is None:
        raise Problem(404, "Unit not found", f"No unit {unit!r} has an assignment.", slug="not-found")
    authorise(caller, region_code, f"unit {unit}")
    return inbox(snapshot, unit, today_in_china())


@router.get("/regions/{region_code}/verification-queue")
async def region_verification_queue(region_code: RegionCode, snapshot: CurrentSnapshot) -> dict:
    """待核查: the completion requests waiting for verification in the region and below, the oldest first, each
    with `days_waiting` and the measure's lead units."""
    return verification_queue(snapshot, region_code, today_in_china())
