from fastapi import APIRouter, Request

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(request: Request) -> dict:
    """Whether the tracker is consuming and its database answers; `report_conflicts`: how many times an event id
    came again with other content (kept out of the state, listed in the report_conflicts collection)."""
    repository = request.app.state.repository
    await repository.database.command("ping")
    return {"service": "tracker", "status": "ok", "consuming": request.app.state.consuming,
            "report_conflicts": await repository.report_conflicts.count_documents({})}
