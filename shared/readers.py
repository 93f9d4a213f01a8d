"""The app of a service that watches the tracker's state (alerts, reporting): its database and its routes."""

from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from shared.authentication import load_clients
from shared.database import connect_database
from shared.health import Readiness, database_check, install_health
from shared.logging import configure_logging, install_request_ids
from shared.metrics import instrument
from shared.problems import install_problem_handlers
from shared.settings import ServiceSettings
from shared.state import TrackerState
from shared.web.docs import install_docs


def create_reader_app(service: str, summary: str, settings: ServiceSettings, routers: list[APIRouter]) -> FastAPI:
    configure_logging(settings.log_level)
    client, database = connect_database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await client.close()

    app = FastAPI(title=f"duban {service}", summary=summary, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served from vendored assets by install_docs
    app.state.tracker_state = TrackerState(database)
    app.state.clients = load_clients(settings)
    install_problem_handlers(app)
    install_request_ids(app)
    install_docs(app, settings)
    for router in routers:
        app.include_router(router)
    install_health(app, Readiness(service, {"database": database_check(database)}))
    instrument(app, service, settings)
    return app
