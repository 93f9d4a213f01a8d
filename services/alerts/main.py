"""alerts' composition root."""

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.alerts.entrypoints import api
from services.alerts.settings import AlertsSettings
from shared.database import connect_database
from shared.health import database_health_router
from shared.logging import configure_logging
from shared.problems import install_problem_handlers
from shared.state import TrackerState


def create_app(settings: AlertsSettings | None = None) -> FastAPI:
    settings = settings or AlertsSettings()
    configure_logging(settings.log_level)
    client, database = connect_database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await client.close()

    app = FastAPI(title="duban alerts", summary="Overdue and lagging units.", lifespan=lifespan)
    app.state.tracker_state = TrackerState(database)
    install_problem_handlers(app)
    app.include_router(api.router)
    app.include_router(database_health_router("alerts"))
    return app
