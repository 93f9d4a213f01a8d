"""tracker's composition root: settings, broker, database, repositories, use cases, publisher and app."""

import asyncio
import contextlib
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.tracker.entrypoints.http import loop, measures, registry
from services.tracker.entrypoints.http.health import tracker_readiness
from services.tracker.entrypoints.kafka.subscribers import register_subscribers
from services.tracker.settings import TrackerSettings
from services.tracker.storage.loop import LoopSteps
from services.tracker.storage.repository import TrackerRepository
from services.tracker.storage.states import AssignmentStates
from services.tracker.storage.views import TrackerViews
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.publishing import OutboxPublisher
from shared.contracts import Topics
from shared.contracts.assignments import AssignmentUpdated
from shared.database import connect_database, when_reachable
from shared.kafka.broker import connected, connecting_in_background, create_broker, publish_event, stop_consuming
from shared.logging import configure_logging, install_request_ids
from shared.metrics import DistrictFreshness, ServiceMetrics
from shared.web.audit import install_audit
from shared.web.authentication import install_authentication, load_clients, requires
from shared.web.clients import Role
from shared.web.docs import install_docs
from shared.web.health import install_health
from shared.web.limits import install_limits
from shared.web.problems import install_problem_handlers


def create_app(settings: TrackerSettings | None = None) -> FastAPI:
    settings = settings or TrackerSettings()
    configure_logging(settings.log_level)
    broker = create_broker(settings, client_id="duban-tracker")
    client, database = connect_database(settings)
    topics = Topics(settings.topic_prefix)
    repository, states, views = TrackerRepository(database), AssignmentStates(database), TrackerViews(database)
    loops = LoopSteps(database)

    async def publish(event: AssignmentUpdated, key: str) -> None:
        await publish_event(broker, topics.assignment_updated, event, key)

    publisher = OutboxPublisher(states, publish, settings.outbox_interval_seconds)
    tracker = Tracker(repository, states, loops, publisher.wake)
    metrics = ServiceMetrics("tracker", settings)
    districts = DistrictFreshness(metrics.registry)
    clients = load_clients(settings)  # the routes' callers, and the producers of what it consumes
    register_subscribers(broker, tracker, settings, districts, clients)

    async def prepare_database() -> None:
        await repository.ensure_indexes()
        await states.ensure_indexes()
        await loops.ensure_indexes()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Listens at once; the subscribers and the outbox start once the indexes are there (the database may be
        # away at start: /readyz names it meanwhile).
        async with connecting_in_background(broker, settings, start_subscribers=True,
                                            first=when_reachable(prepare_database)) as app.state.kafka_connecting:
            app.state.publishing = asyncio.create_task(publish_when_connected(app.state.kafka_connecting, publisher))
            yield
            # Consuming stops first, so no state is written after the outbox's last pass: a stop leaves nothing
            # pending that it could have published (a crash still does, for the next start).
            await stop_consuming(broker)
            app.state.publishing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await app.state.publishing
            if connected(app.state.kafka_connecting):
                await publisher.last_pass(settings.publish_timeout_seconds * 2)
        await client.close()

    app = FastAPI(title="duban tracker", summary="The state of every measure and assignment.", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served from vendored assets by install_docs
    app.state.tracker, app.state.views, app.state.publisher = tracker, views, publisher
    install_authentication(app, settings, clients)
    install_problem_handlers(app)
    install_limits(app, settings.rate_limit)
    install_request_ids(app)
    install_docs(app, settings)
    # A reporter reads its units' assignments too (intake's pre-filled ledger, with the reporter's token). The
    # registry's and the loop's routes name their roles one by one.
    app.include_router(measures.router, dependencies=[requires(Role.viewer, Role.reporter)])
    app.include_router(registry.router)
    app.include_router(loop.router)
    install_audit(app, database["tracker_audit"])
    install_health(app, tracker_readiness(broker, views, states))
    metrics.watch_consumer_lag([settings.consumer_group])
    # After a restart, each district's last report as stored (the report's own time: events' times are not kept).
    metrics.samplers.append(districts.recall(repository.progress_reports, "region_code", "reported_at"))
    metrics.instrument(app, broker)
    return app


async def publish_when_connected(connecting: asyncio.Task, publisher: OutboxPublisher) -> None:
    """The outbox is published once the broker is connected (at start: what a crash left pending)."""
    await asyncio.shield(connecting)
    await publisher.run()
