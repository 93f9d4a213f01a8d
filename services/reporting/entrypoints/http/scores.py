"""考核 scores (domain/scoring/score.py): the ranking of a region's units and child regions, one unit's every line
with its rule, points and events, and the versions of the scoring rules file loaded so far."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.reporting.entrypoints.http.dependencies import (
    CODE,
    CurrentSnapshot,
    HomeRegion,
    OptionalYear,
    ScoringDep,
    known,
)
from shared.web.authentication import Caller, authorise, scoped
from shared.web.openapi import problem_responses
from shared.web.problems import unknown_unit

router = APIRouter(prefix="/v1/scores", tags=["scores"])


@router.get("", responses=problem_responses(403, 404, 422))
async def scores(scoring: ScoringDep, snapshot: CurrentSnapshot, home: HomeRegion, caller: Caller,
                 year: OptionalYear,
                 region_code: Annotated[str | None, Query(pattern=CODE, description="GB/T 2260 code (default: the "
                                                          "caller's region, else the home region)")] = None) -> dict:
    """The year's scores within a region: its score (the mean of its units' totals), its child regions ranked by
    theirs, its units (descendants included) ranked by their totals; the rules' version and base points. 403 for
    a region outside the caller's."""
    region_code = scoped(caller, region_code) or home
    return await scoring.ranking(year, known(snapshot, region_code))


@router.get("/units/{unit}", responses=problem_responses(403, 404, 422))
async def unit_score(scoring: ScoringDep, caller: Caller, unit: Annotated[str, Path(min_length=1, max_length=256)],
                     year: OptionalYear) -> dict:
    """One unit's score: base, total and every line (rule, plan, measure, count, points per count, points, the
    ids of the events behind it). 404 for a unit without an assignment, 403 for one outside the caller's region."""
    found = (await scoring.scores(year)).get(unit)
    if found is None:
        raise unknown_unit(unit)
    authorise(caller, found["region_code"], f"单位 {unit}")
    return {"year": year, "rules_version": scoring.rules_version, **found}


@router.get("/rules")
async def rules_versions(scoring: ScoringDep) -> dict:
    """The scoring rules in force (`current`: its version, the SHA-256 of the file; None: the built-in defaults)
    and every content of the rules file recorded, the latest loaded first (version, content, path, loaded_at)."""
    return {"current": scoring.rules_version, "versions": await scoring.store.rules_versions()}
