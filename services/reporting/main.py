"""reporting's composition root."""

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.reporting.entrypoints import api, dashboard
from services.reporting.settings import ReportingSettings
from shared.database import connect_database
from shared.health import database_health_router
from shared.logging import configure_logging
from shared.problems import install_problem_handlers
from shared.state import TrackerState


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    configure_logging(settings.log_level)
    client, database = connect_database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await client.close()

    app = FastAPI(title="duban reporting", summary="Consolidated figures and the dashboard.", lifespan=lifespan)
    app.state.tracker_state = TrackerState(database)
    app.state.home_region_code = settings.home_region_code
    install_problem_handlers(app)
    app.include_router(api.router)
    app.include_router(dashboard.router)
    app.include_router(database_health_router("reporting"))
    return app
