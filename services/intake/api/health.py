from fastapi import APIRouter, Request

from services.intake.api.dependencies import Publisher

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(publisher: Publisher, request: Request) -> dict:
    """Whether intake can accept events right now, and whether callers must present a client's token."""
    kafka = "connected" if publisher.connected else "unreachable"
    return {"service": "intake", "status": "ok" if publisher.connected else "degraded", "kafka": kafka,
            "authentication": "open" if request.app.state.clients is None else "bearer tokens"}
