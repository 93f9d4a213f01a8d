from fastapi import APIRouter, Request

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(request: Request) -> dict:
    """Whether the tracker is consuming and its database answers."""
    await request.app.state.repository.database.command("ping")
    return {"service": "tracker", "status": "ok", "consuming": request.app.state.consuming}
