"""reporting's composition root: settings, broker, database, store, read model, subscribers and app are built here
only."""

import asyncio
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from functools import partial

from fastapi import FastAPI
from prometheus_client import Gauge

from services.reporting.domain.history import History, default_months
from services.reporting.entrypoints.http import dashboard, documents, loop, operations, reports, scores
from services.reporting.entrypoints.kafka.subscribers import register_subscribers
from services.reporting.settings import ReportingSettings, load_scoring_rules
from services.reporting.storage.collections import ReportingStore
from services.reporting.storage.documents import DocumentStore
from services.reporting.storage.read_model import ReadModel
from services.reporting.storage.scoring import ScoringStore
from services.reporting.storage.snapshots import Snapshots
from services.reporting.usecases.bulletins import run_bulletin_schedule
from services.reporting.usecases.scoring import Scoring
from shared.database import connect_database, when_reachable
from shared.domain.calendar import today_in_china
from shared.kafka.broker import connecting_in_background, create_broker
from shared.logging import configure_logging, install_request_ids
from shared.metrics import ServiceMetrics
from shared.web.audit import install_audit
from shared.web.authentication import install_authentication, load_clients, requires
from shared.web.clients import Role
from shared.web.docs import install_docs
from shared.web.health import consumer_readiness, install_health
from shared.web.limits import install_limits
from shared.web.problems import install_problem_handlers


def evaluate_default_series(history: History) -> None:
    """The default monthly series up to today (what the dashboard asks for), so no request pays for it."""
    for day in default_months(today_in_china()):
        history.evaluation(day)


async def prepare(store: ReportingStore, scoring: Scoring) -> None:
    """Before the subscribers start: the indexes, and the scoring rules' version recorded if it changed."""
    await store.ensure_indexes()
    await scoring.record_rules()


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    configure_logging(settings.log_level)
    broker = create_broker(settings, client_id="duban-reporting")
    client, database = connect_database(settings)
    store = ReportingStore(database)
    scoring = Scoring(ScoringStore(store), *load_scoring_rules(settings.scoring_rules_file),  # bad rules stop the start
                      max_age_seconds=settings.scores_max_age_seconds)
    clients = load_clients(settings)  # the routes' callers, and the producers of what it reads from other systems
    register_subscribers(broker, store, settings, clients)
    model = ReadModel(store, timedelta(seconds=settings.read_model_overlap_seconds))
    snapshots = Snapshots(model.refresh, settings.snapshot_max_age_seconds)
    histories = Snapshots(model.history, settings.history_max_age_seconds, warm=evaluate_default_series)
    documents_store = DocumentStore(database)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Listens at once; the subscribers start once the indexes are there and the scoring rules' version is
        # recorded (the database may be away at start: /readyz names it meanwhile).
        first = when_reachable(partial(prepare, store, scoring))
        async with connecting_in_background(broker, settings, start_subscribers=True,
                                            first=first) as app.state.kafka_connecting:
            schedule = None
            if settings.bulletin_day_of_month:
                schedule = asyncio.create_task(run_bulletin_schedule(
                    documents_store, snapshots.current, settings.bulletin_regions or [settings.home_region_code],
                    settings.bulletin_day_of_month, settings.bulletin_check_seconds, scoring))
            yield
            if schedule is not None:
                schedule.cancel()
                with suppress(asyncio.CancelledError):
                    await schedule
            await snapshots.close()  # before the database client closes
            await histories.close()
        await client.close()

    app = FastAPI(title="duban reporting", summary="Consolidated figures and the dashboard.", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served from vendored assets by install_docs
    app.state.store, app.state.documents = store, documents_store
    app.state.snapshots, app.state.histories, app.state.read_model = snapshots, histories, model
    app.state.scoring = scoring
    app.state.home_region_code = settings.home_region_code
    app.state.metrics_targets = settings.metrics_targets
    app.state.evidence_url = settings.evidence_url.rstrip("/")
    install_authentication(app, settings, clients)
    install_problem_handlers(app)
    install_limits(app, settings.rate_limit)
    install_request_ids(app)
    install_docs(app, settings)
    for router in (reports.router, documents.router, scores.router):
        app.include_router(router, dependencies=[requires(Role.viewer)])
    # a unit's inbox and the verification queue: for the reporters and verifiers who work them, and viewers
    app.include_router(loop.router, dependencies=[requires(Role.viewer, Role.reporter, Role.planner)])
    app.include_router(dashboard.router)  # its page and static files are open; the page's own calls are not
    app.include_router(operations.router, dependencies=[requires(Role.admin)])
    install_audit(app, database["reporting_audit"])
    install_health(app, consumer_readiness("reporting", broker, database))
    metrics = ServiceMetrics("reporting", settings)
    Gauge("duban_read_model_age_seconds", "Age of the read model the figures are answered from",
          registry=metrics.registry).set_function(snapshots.age)
    metrics.watch_consumer_lag([settings.reporting_consumer_group])
    metrics.instrument(app, broker)
    return app
