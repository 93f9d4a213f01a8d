"""The registry as the tracker holds it: regions with their units, names left unresolved, and mappings."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body, Path

from services.tracker.entrypoints.http.dependencies import Caller, Lookup, TrackerDep, Views
from services.tracker.usecases.registry import map_unit as map_unit_use_case
from shared.web.authentication import authorise, requires
from shared.web.clients import Role
from shared.web.openapi import problem_responses
from shared.web.problems import unknown_region

router = APIRouter(prefix="/v1", tags=["registry"])


@router.get("/regions/{region_code}", responses=problem_responses(403, 404),
            dependencies=[requires(Role.viewer, Role.planner, Role.reporter)])
async def read_region(region_code: Annotated[str, Path(pattern=r"^[0-9]{6}([0-9]{3})?$")], lookup: Lookup,
                      caller: Caller) -> dict:
    """A region with its units and its child regions, from the latest published registry."""
    authorise(caller, region_code, f"区划 {region_code}")
    directory = lookup.directory
    if directory is None or region_code not in directory.regions:
        raise unknown_region(region_code)
    region = directory.regions[region_code]
    return {
        # Unit contacts are personal data: only the alerts' reminders use them.
        **region.model_dump(mode="json", exclude={"units": {"__all__": {"contact"}}}),
        "children": [{"code": c.code, "name": c.name, "level": c.level, "synthetic": c.synthetic}
                     for c in directory.children[region_code]],
    }


@router.get("/unresolved-units", dependencies=[requires(Role.planner)])
async def list_unresolved(views: Views) -> list[dict]:
    """Unit names the registry does not resolve, with the measures naming them (as a unit of theirs, or in a
    report on them: such a report is kept in the history, not counted, until the name is mapped)."""
    return await views.unresolved()


@router.put("/unit-mappings/{name}", responses=problem_responses(403), dependencies=[requires(Role.planner)])
async def map_unit(
    name: str, tracker: TrackerDep, caller: Caller,
    unit_ids: Annotated[list[str], Body(embed=True, min_length=1, description="registry unit ids")],
) -> dict:
    """Map a name the registry cannot resolve to registry units; its measures are assigned again (and their
    assignment-updated events published). With a clients file, only a client acting for every one of the units'
    regions may."""
    measures = await map_unit_use_case(tracker, name, unit_ids, partial(authorise, caller))
    return {"name": name, "unit_ids": unit_ids, "measures": measures}
