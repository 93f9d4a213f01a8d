"""Alerts read API: the open alerts, computed on the fly from alerts' own copies of the measures and assignments
(storage/inputs.py) on the day asked for (with the stored alert's life, opened_at and acknowledgements, once an
evaluation has recorded it), and the closed ones from the history the evaluations keep."""

from collections import defaultdict
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from services.alerts.domain.alerts import Kind, Severity
from services.alerts.domain.evaluate import Evaluator
from services.alerts.domain.flags import badness, region_flags, unit_flags
from services.alerts.domain.lights import lights_of
from services.alerts.domain.overdue import overdue
from services.alerts.domain.rules import RulesBook
from services.alerts.entrypoints.http.dependencies import AlertStoreDep, InputsDep, RulesDep
from services.alerts.entrypoints.http.operations import stored_view
from services.alerts.storage.inputs import Inputs
from shared.domain.calendar import DAY_SPAN, today_in_china
from shared.web.authentication import Caller, scoped
from shared.web.openapi import problem_responses
from shared.web.problems import unknown_region, unknown_unit

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


def region_in_scope(caller: Caller, region_code: Annotated[str | None, Query(
        pattern=r"^[0-9]{6}([0-9]{3})?$", description="GB/T 2260 code: this region and every region below it (default: "
                                                 "the caller's region)")] = None) -> str | None:
    """The region asked (403 outside the caller's), else the caller's: a county's list shows its county only."""
    return scoped(caller, region_code)


RegionCode = Annotated[str | None, Depends(region_in_scope)]
AsOf = Annotated[date | None, Query(description="the day to judge on (default: today in China)", **DAY_SPAN)]


async def require_region(inputs: Inputs, region_code: str | None) -> None:
    """404 for a region the registry does not have (none asked, or no registry yet: any code passes)."""
    codes = await inputs.region_codes() if region_code else None
    if codes is not None and region_code not in codes:
        raise unknown_region(region_code)


async def evaluated(inputs: Inputs, book: RulesBook, region_code: str | None) -> tuple[Evaluator, list[dict]]:
    """The evaluator and the assignments in the region and below; 404 for a region the registry does not have."""
    await require_region(inputs, region_code)
    return Evaluator(await inputs.measures(), book), await inputs.assignments(region_code=region_code)


@router.get("", responses=problem_responses(404))
async def list_alerts(
    inputs: InputsDep,
    book: RulesDep,
    store: AlertStoreDep,
    region_code: RegionCode,
    status: Annotated[Literal["open", "closed", "all"], Query(
        description="open (judged on as_of), closed (from the history), or all: open first")] = "open",
    unit: Annotated[str | None, Query(description="a unit id (or an unresolved unit's name)")] = None,
    kind: Annotated[list[Kind] | None, Query(description="repeat for several")] = None,
    severity: Annotated[list[Severity] | None, Query(description="repeat for several")] = None,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    """The open alerts, most serious first: `{total, limit, offset, as_of, items}`; each item has its `kind`
    (overdue, due_soon, lagging, silent, unsigned, awaiting_verification), `severity` (info < warning <
    critical), `reason` in Chinese, the `figures` behind it, and the measure, unit and region it concerns; its
    `status`, and, once a sweep recorded it, `opened_at`, `closed_at`, `severity_changes` and
    `acknowledgements`. An open alert carries its assignment's `light` (green, yellow, red) on `as_of`. Closed
    alerts, newest first, are as they were when they closed."""
    today = as_of or today_in_china()
    items: list[dict] = []
    if unit and not any(a["unit"] == unit for a in await inputs.assignments()):
        raise unknown_unit(unit)
    if status in ("open", "all"):
        evaluator, assignments = await evaluated(inputs, book, region_code)
        if unit:
            assignments = [a for a in assignments if a["unit"] == unit]
        judged = evaluator.alerts(assignments, today)
        lights = lights_of(evaluator.judged, judged)
        alerts = [a for a in judged if (not kind or a.kind in kind) and (not severity or a.severity in severity)]
        alerts.sort(key=lambda a: (tuple(-x for x in badness(a)), a.measure_id, a.unit, a.kind, a.subject))
        stored = await store.open_by_keys(a.key for a in alerts)
        items += [{**(stored_view(stored[a.key], "open") if a.key in stored else {"status": "open"}), **a.to_json(),
                   "light": str(lights[f"{a.measure_id}|{a.unit}"].light)} for a in alerts]
    if status in ("closed", "all"):
        closed = await store.closed(region_code=region_code, unit=unit, kinds=kind and [str(k) for k in kind],
                                    severities=severity and [str(s) for s in severity])
        items += [stored_view(document, "closed") for document in closed]
    return {"total": len(items), "limit": limit, "offset": offset, "as_of": today.isoformat(),
            "items": items[offset:offset + limit]}


@router.get("/units")
async def flagged_units(inputs: InputsDep, book: RulesDep, region_code: RegionCode,
                        as_of: AsOf = None) -> list[dict]:
    """Each unit with an open alert, flagged with its worst, worst first."""
    evaluator, assignments = await evaluated(inputs, book, region_code)
    alerts = evaluator.alerts(assignments, as_of or today_in_china())
    counts = defaultdict(int)
    for alert in alerts:
        counts[alert.unit] += 1
    flags = sorted(unit_flags(alerts).values(), key=badness, reverse=True)
    return [{"unit": a.unit, "unit_name": a.unit_name, "region_code": a.region_code, "open_alerts": counts[a.unit],
             "worst": a.to_json()} for a in flags]


@router.get("/regions")
async def flagged_regions(inputs: InputsDep, book: RulesDep, region_code: RegionCode,
                          as_of: AsOf = None) -> list[dict]:
    """Each region that has assigned units: how many (its descendants' included) have an open warning or critical
    alert, and whether that share reaches the flagging threshold (`region_flag_share` in the rules)."""
    evaluator, assignments = await evaluated(inputs, book, region_code)
    units_by_region: dict[str, set[str]] = defaultdict(set)
    for assignment in assignments:
        units_by_region[assignment["region_code"]].add(assignment["unit"])
    alerts = evaluator.alerts(assignments, as_of or today_in_china())
    return [flag.to_json() for flag in region_flags(alerts, units_by_region, book.region_flag_share)]


@router.get("/overdue")
async def list_overdue(inputs: InputsDep, book: RulesDep, region_code: RegionCode,
                       as_of: AsOf = None) -> list[dict]:
    """Assignments past a deadline they have not met, in a region and below, most overdue first."""
    today = as_of or today_in_china()
    evaluator, assignments = await evaluated(inputs, book, region_code)
    late = evaluator.alerts(assignments, today, judge=lambda *judged: [alert for alert in [overdue(*judged)] if alert])
    by_key = {(a["measure_id"], a["unit"]): a for a in assignments}
    rows = []
    for alert in late:
        assignment = by_key[alert.measure_id, alert.unit]
        rows.append({
            **{k: assignment[k] for k in ("measure_id", "unit", "unit_name", "region_code", "status",
                                        "percent_complete")},
            "title": evaluator.schedule(alert.measure_id)[0].title,
            "deadline": alert.figures["deadline"],
            "due": alert.figures["due"],
            "days_overdue": alert.figures["days_overdue"],
            "severity": str(alert.severity),
            "reason": alert.reason,
        })
    return sorted(rows, key=lambda row: -row["days_overdue"])
