from fastapi import APIRouter

from services.intake.api.dependencies import Publisher

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(publisher: Publisher) -> dict:
    """Whether intake can accept events right now."""
    kafka = "connected" if publisher.connected else "unreachable"
    return {"service": "intake", "status": "ok" if publisher.connected else "degraded", "kafka": kafka}
