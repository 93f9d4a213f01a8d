"""The health endpoint of a service that reads the database."""

from fastapi import APIRouter, Request


def database_health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health")
    async def health(request: Request) -> dict:
        """Whether the service and its database answer."""
        await request.app.state.tracker_state.database.command("ping")
        return {"service": service, "status": "ok"}

    return router
