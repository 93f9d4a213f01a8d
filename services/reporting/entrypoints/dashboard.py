"""The dashboard page, served by the reporting service itself."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
PAGE = (Path(__file__).parent.parent / "dashboard" / "index.html").read_text(encoding="utf-8")


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request) -> str:
    return PAGE.replace("{{home_region_code}}", request.app.state.home_region_code)
