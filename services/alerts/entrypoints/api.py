"""Alerts read API."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.alerts.domain.overdue import overdue
from shared.state import TrackerState

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


def get_state(request: Request) -> TrackerState:
    return request.app.state.tracker_state


State = Annotated[TrackerState, Depends(get_state)]


@router.get("/overdue")
async def list_overdue(
    state: State,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}(\d{3})?$")] = None,
    as_of: date | None = None,
) -> list[dict]:
    """Assignments past a deadline and not completed, in a region and below, most overdue first."""
    today = as_of or date.today()
    measures = await state.measures()
    rows = []
    for assignment in await state.assignments(region_code=region_code):
        measure = measures.get(assignment["measure_id"])
        late = measure and overdue(measure.get("deadlines", []), assignment["status"], today)
        if late:
            rows.append({
                **{k: assignment[k] for k in ("measure_id", "unit", "region_code", "status", "percent_complete")},
                "title": measure["title"],
                "deadline": late.deadline_text,
                "due": late.due.isoformat(),
                "days_overdue": late.days_overdue,
            })
    return sorted(rows, key=lambda row: -row["days_overdue"])
