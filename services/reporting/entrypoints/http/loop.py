"""The supervision loop's work lists (domain/inbox.py), from the read model: a unit's inbox and a region's
verification queue, as of today (China); and an item's timeline (domain/timeline.py), from reporting's collections."""

from functools import partial

from fastapi import APIRouter

from services.reporting.domain.inbox import inbox, verification_queue
from services.reporting.domain.timeline import timeline
from services.reporting.entrypoints.http.dependencies import CurrentSnapshot, EvidenceUrl, RegionCode, Store
from services.reporting.entrypoints.http.reports import linked
from shared.domain.calendar import today_in_china
from shared.web.authentication import Caller, authorise
from shared.web.openapi import problem_responses
from shared.web.problems import unknown_unit

router = APIRouter(prefix="/v1", tags=["loop"])


@router.get("/units/{unit}/inbox", responses=problem_responses(403, 404))
async def unit_inbox(unit: str, snapshot: CurrentSnapshot, caller: Caller) -> dict:
    """待办: the unit's assignments to sign for, to report on and returned to it (`{to_sign, to_report, returned,
    counts}`), each with its measure, loop state, light and whether it reported on the current period. 404 for a
    unit without an assignment; 403 for a unit outside the caller's region."""
    region_code = next((view["region_code"] for view in snapshot.assignments if view["unit"] == unit), None)
    if region_code is None:
        raise unknown_unit(unit)
    authorise(caller, region_code, f"单位 {unit}")
    return inbox(snapshot, unit, today_in_china())


@router.get("/regions/{region_code}/verification-queue")
async def region_verification_queue(region_code: RegionCode, snapshot: CurrentSnapshot) -> dict:
    """待核查: the completion requests waiting for verification in the region and below, the oldest first, each
    with `days_waiting` and the measure's lead units."""
    return verification_queue(snapshot, region_code, today_in_china())


@router.get("/measures/{measure_id}/units/{unit}/timeline", responses=problem_responses(403, 404))
async def item_timeline(measure_id: str, unit: str, snapshot: CurrentSnapshot, store: Store, caller: Caller,
                        evidence_url: EvidenceUrl) -> dict:
    """督办事项时间线: the assignment (its measure, unit, region and `trail`, loop state, light, overdue) and its
    `entries` in order: assigned, the loop's steps with who and what (evidence files with their download and
    preview addresses), reports, alerts raised and cleared, light changes; each with `type`, `at` (an instant) and
    `by`. 404 for an assignment reporting does not have; 403 for one outside the caller's region."""
    view = next((v for v in snapshot.assignments if v["measure_id"] == measure_id and v["unit"] == unit), None)
    if view is None:
        raise unknown_unit(unit, measure_id)
    authorise(caller, view["region_code"], f"单位 {unit}")
    found = await store.of_assignment(measure_id, unit)
    return timeline(snapshot, view, found, today_in_china(), partial(linked, evidence_url=evidence_url))
