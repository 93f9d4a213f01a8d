"""intake's composition root: settings, broker and app are built here and nowhere else."""

import asyncio
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from services.intake.api import ledgers, measures, plans, progress, registry
from services.intake.api.health import intake_readiness
from services.intake.catalogue import Catalogue
from services.intake.idempotency import IdempotencyKeys
from services.intake.publishing import EventPublisher
from services.intake.settings import IntakeSettings
from shared.authentication import Authenticated, load_clients
from shared.broker import create_broker
from shared.contracts import Topics
from shared.database import connect_database
from shared.health import install_health
from shared.logging import configure_logging, install_request_ids
from shared.metrics import instrument
from shared.problems import install_problem_handlers
from shared.web.docs import install_docs


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    configure_logging(settings.log_level)
    broker = create_broker(settings, client_id="duban-intake")
    publisher = EventPublisher(broker, settings)
    client, database = connect_database(settings)
    topics = Topics(settings.topic_prefix)
    catalogue = Catalogue(settings.kafka_bootstrap_servers, topics)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        connecting = asyncio.create_task(publisher.keep_connecting())
        reading = asyncio.create_task(catalogue.follow())
        yield
        for task in (connecting, reading):
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await broker.stop()
        await client.close()

    app = FastAPI(title="duban intake", summary="Measures and progress reports in, CloudEvents out.", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served from vendored assets by install_docs
    app.state.publisher = publisher
    app.state.topics = topics
    app.state.catalogue = catalogue
    app.state.idempotency_keys = IdempotencyKeys(database["idempotency_keys"])
    app.state.clients = load_clients(settings)
    install_problem_handlers(app)
    install_request_ids(app)
    install_docs(app, settings)
    for module in (measures, progress, plans, ledgers, registry):  # every route but health needs a client's token
        app.include_router(module.router, dependencies=[Authenticated])
    install_health(app, intake_readiness(broker, database, app.state.clients))
    instrument(app, "intake", settings, broker)
    return app
