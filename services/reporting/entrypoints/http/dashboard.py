"""The dashboard (a single page, plain JavaScript over /v1/reports, Apache ECharts vendored under
dashboard/vendor/) and the printable annual report page, served by the reporting service itself."""

import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from services.reporting.domain.annual_page import annual_page
from services.reporting.domain.years import year_refusal
from services.reporting.entrypoints.http.dependencies import CODE, CurrentSnapshot, HomeRegion, ScoringDep, Store
from services.reporting.entrypoints.http.reports import annual_dataset
from shared.domain.calendar import today_in_china
from shared.web.authentication import Caller, authorise, requires
from shared.web.clients import Role

router = APIRouter(include_in_schema=False)
FOLDER = Path(__file__).parents[2] / "dashboard"
PAGE = (FOLDER / "index.html").read_text(encoding="utf-8")
ASSETS = {"app.js": "text/javascript", "app.css": "text/css", "vendor/echarts.min.js": "text/javascript",
          "vendor/LICENSE": "text/plain", "vendor/NOTICE": "text/plain"}


@router.get("/", response_class=HTMLResponse)
async def dashboard(home: HomeRegion) -> str:
    return PAGE.replace("{{home_region_code}}", home)


@router.get("/dashboard/{asset:path}")
async def asset(asset: str) -> FileResponse:
    if asset not in ASSETS:
        return HTMLResponse("not found", status_code=404)
    return FileResponse(FOLDER / asset, media_type=ASSETS[asset], headers={"Cache-Control": "max-age=3600"})


@router.get("/reports/annual/{region_code}/{year}", response_class=HTMLResponse,
            dependencies=[requires(Role.viewer)])
async def annual(store: Store, snapshot: CurrentSnapshot, scoring: ScoringDep, caller: Caller, region_code: str,
                 year: int) -> HTMLResponse:
    """The printable annual report; a viewer's, in its region (the dashboard fetches it with its key). 422 for a year
    reporting may not be asked about (domain/years.py), saying why."""
    if not re.fullmatch(CODE, region_code):
        return HTMLResponse("区划代码无效", status_code=422)
    if refusal := year_refusal(year, today_in_china()):
        return HTMLResponse(refusal.detail, status_code=422)
    authorise(caller, region_code, f"区划 {region_code}")
    return HTMLResponse(annual_page(await annual_dataset(store, snapshot, region_code, year, scoring)))
