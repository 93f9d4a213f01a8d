"""The lights (亮灯) read API: each assignment's light judged on the day asked for, from alerts' own copies of the
measures and assignments, as the alerts are (entrypoints/http/alerts.py), with when its published light turned
that colour."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.alerts.domain.lights import Light, Lit, lights_of
from services.alerts.entrypoints.http.alerts import AsOf, RegionCode, evaluated
from services.alerts.entrypoints.http.dependencies import AlertStoreDep, InputsDep, RulesDep
from shared.domain.calendar import today_in_china
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1/lights", tags=["lights"])
ORDER = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}


def item(lit: Lit, unit_name: str, published: dict | None) -> dict:
    """A light as the API shows it, `since` the published light's change when it is this colour."""
    return {"measure_id": lit.measure_id, "unit": lit.unit, "unit_name": unit_name, "region_code": lit.region_code,
            "light": str(lit.light), "reasons": list(lit.reasons),
            "since": published["changed_at"] if published and published["light"] == lit.light else None}


@router.get("", responses=problem_responses(404))
async def list_lights(
    inputs: InputsDep,
    book: RulesDep,
    store: AlertStoreDep,
    region_code: RegionCode = None,
    light: Annotated[list[Light] | None, Query(description="green, yellow or red; repeat for several")] = None,
    unit: Annotated[str | None, Query(description="a unit id (or an unresolved unit's name)")] = None,
    measure_id: Annotated[str | None, Query(max_length=128)] = None,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    """The assignments' lights, red first: `{total, counts: {green, yellow, red}, limit, offset, as_of, items}`
    (counts of the assignments matching every filter but `light`). Each item: `measure_id`, `unit`, `unit_name`,
    `region_code`, `light`, `reasons` (the open alerts' kinds, `returned_twice`, `closed_out`) and `since`: when
    the light last published for the assignment (assignment-light-changed) turned this colour, null when the one
    published differs (another day judged) or none was yet. A region the registry does not have: 404."""
    today = as_of or today_in_china()
    evaluator, assignments = await evaluated(inputs, book, region_code)
    assignments = [a for a in assignments
                   if (not unit or a["unit"] == unit) and (not measure_id or a["measure_id"] == measure_id)]
    lit = lights_of(evaluator.judged, evaluator.alerts(assignments, today))
    names = {f"{a['measure_id']}|{a['unit']}": a.get("unit_name") or a["unit"] for a in assignments}
    published = await store.stored_lights({one.measure_id for one in lit.values()})
    counts = {str(colour): sum(one.light == colour for one in lit.values()) for colour in Light}
    chosen = sorted((one for one in lit.values() if not light or one.light in light),
                    key=lambda one: (ORDER[one.light], one.measure_id, one.unit))
    items = [item(one, names[one.key], published.get(one.key)) for one in chosen[offset:offset + limit]]
    return {"total": len(chosen), "counts": counts, "limit": limit, "offset": offset, "as_of": today.isoformat(),
            "items": items}
