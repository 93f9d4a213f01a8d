"""The registry as the tracker holds it: regions with their units, names left unresolved, and mappings."""

from typing import Annotated

from fastapi import APIRouter, Body, Path

from services.tracker.entrypoints.api import Repository
from shared.authentication import Caller, authorise
from shared.problems import Problem
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1", tags=["registry"])


@router.get("/regions/{region_code}", responses=problem_responses(404))
async def read_region(region_code: Annotated[str, Path(pattern=r"^\d{6}(\d{3})?$")], repository: Repository) -> dict:
    """A region with its units and its child regions, from the latest published registry."""
    directory = (await repository.unit_lookup()).directory
    if directory is None or region_code not in directory.regions:
        raise Problem(404, "Region not found", f"No region {region_code!r} in the registry.", slug="not-found")
    region = directory.regions[region_code]
    return {
        # Unit contacts are personal data: only the alerts' reminders use them.
        **region.model_dump(mode="json", exclude={"units": {"__all__": {"contact"}}}),
        "children": [{"code": c.code, "name": c.name, "level": c.level, "synthetic": c.synthetic}
                     for c in directory.children[region_code]],
    }


@router.get("/unresolved-units")
async def list_unresolved(repository: Repository) -> list[dict]:
    """Unit names the registry does not resolve, with the measures naming them (as a unit of theirs, or in a
    report on them: such a report is kept in the history, not counted, until the name is mapped)."""
    names: dict[str, set[str]] = {}
    async for measure in repository.measures.find({"unresolved_units.0": {"$exists": True}}):
        for name in measure["unresolved_units"]:
            names.setdefault(name, set()).add(measure["_id"])
    reported: dict[str, int] = {}
    async for report in repository.progress_reports.find({"unresolved_unit": True}, {"unit": 1, "measure_id": 1}):
        names.setdefault(report["unit"], set()).add(report["measure_id"])
        reported[report["unit"]] = reported.get(report["unit"], 0) + 1
    return [{"name": name, "measures": sorted(measures), "reports": reported.get(name, 0)}
            for name, measures in sorted(names.items())]


@router.put("/unit-mappings/{name}", responses=problem_responses(403))
async def map_unit(
    name: str, repository: Repository, caller: Caller,
    unit_ids: Annotated[list[str], Body(embed=True, min_length=1, description="registry unit ids")],
) -> dict:
    """Map a name the registry cannot resolve to registry units; its measures are assigned again. With a clients
    file, only a client acting for every one of the units' regions may."""
    lookup = await repository.unit_lookup()
    unknown = [unit_id for unit_id in unit_ids if unit_id not in lookup.units]
    if unknown:
        raise Problem(422, "Unknown units", f"Not in the registry: {', '.join(unknown)}", slug="unknown-units")
    for unit_id in unit_ids:
        authorise(caller, lookup.units[unit_id][1], f"unit {unit_id}")
    return {"name": name, "unit_ids": unit_ids, "measures": await repository.map_unit(name, unit_ids)}
