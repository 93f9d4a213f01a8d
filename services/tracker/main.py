"""tracker's composition root: settings, broker, database, subscribers and app are built here only."""

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.tracker.entrypoints import api, registry
from services.tracker.entrypoints.health import tracker_readiness
from services.tracker.entrypoints.subscribers import register_subscribers
from services.tracker.settings import TrackerSettings
from services.tracker.storage.repository import TrackerRepository
from shared.authentication import load_clients
from shared.broker import connecting_in_background, create_broker
from shared.database import connect_database
from shared.health import install_health
from shared.logging import configure_logging, install_request_ids
from shared.metrics import DistrictFreshness, ServiceMetrics
from shared.problems import install_problem_handlers
from shared.web.docs import install_docs


def create_app(settings: TrackerSettings | None = None) -> FastAPI:
    settings = settings or TrackerSettings()
    configure_logging(settings.log_level)
    broker = create_broker(settings, client_id="duban-tracker")
    client, database = connect_database(settings)
    repository = TrackerRepository(database)
    metrics = ServiceMetrics("tracker", settings)
    districts = DistrictFreshness(metrics.registry)
    register_subscribers(broker, repository, settings, districts)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await repository.ensure_indexes()
        async with connecting_in_background(broker, settings, start_subscribers=True) as app.state.kafka_connecting:
            yield
        await client.close()

    app = FastAPI(title="duban tracker", summary="The state of every measure and assignment.", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served from vendored assets by install_docs
    app.state.repository = repository
    app.state.clients = load_clients(settings)
    install_problem_handlers(app)
    install_request_ids(app)
    install_docs(app, settings)
    app.include_router(api.router)
    app.include_router(registry.router)
    install_health(app, tracker_readiness(broker, repository))
    metrics.watch_consumer_lag([settings.consumer_group])
    # After a restart, each district's last report as stored (the report's own time: events' times are not kept).
    metrics.samplers.append(districts.recall(repository.progress_reports, "region_code", "reported_at"))
    metrics.instrument(app, broker)
    return app
