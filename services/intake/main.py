"""intake's composition root: settings, broker, database, storage, use cases and app are built here and nowhere
else."""

import asyncio
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from services.intake.entrypoints.http import evidence, ledgers, loop, measures, plans, progress, registry
from services.intake.entrypoints.http.health import intake_readiness
from services.intake.entrypoints.kafka.catalogue import CatalogueFeed
from services.intake.settings import IntakeSettings
from services.intake.storage.catalogue import Catalogue
from services.intake.storage.evidence import EvidenceStore
from services.intake.storage.idempotency import IdempotencyKeys
from services.intake.storage.publisher import EventPublisher
from services.intake.storage.registries import KnownRegistry
from services.intake.storage.scanner import CommandScanner
from services.intake.storage.tracker import TrackerAssignments, TrackerLoop
from services.intake.usecases.evidence import EvidenceFiles
from services.intake.usecases.ledger_template import LedgerTemplates
from services.intake.usecases.loop_steps import LoopStepAcceptance
from services.intake.usecases.measure_creation import MeasureCreation
from services.intake.usecases.plan_import import PlanImports
from services.intake.usecases.progress_acceptance import ProgressAcceptance
from services.intake.usecases.registry_publication import RegistryPublication
from shared.contracts import Topics
from shared.database import connect_database, when_reachable
from shared.kafka.broker import create_broker
from shared.logging import configure_logging, install_request_ids
from shared.metrics import instrument
from shared.web.audit import install_audit
from shared.web.authentication import install_authentication, is_open, load_clients, requires
from shared.web.clients import Role
from shared.web.docs import install_docs
from shared.web.health import install_health
from shared.web.limits import install_limits
from shared.web.problems import install_problem_handlers
from shared.web.producers import producer_scopes


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    configure_logging(settings.log_level)
    broker = create_broker(settings, client_id="duban-intake")
    publisher = EventPublisher(broker, settings)
    client, database = connect_database(settings)
    topics = Topics(settings.topic_prefix)
    clients = load_clients(settings)  # the routes' callers, and the producers of the measures and registries it reads
    feed = CatalogueFeed(settings.kafka_bootstrap_servers, topics, producer_scopes(clients, settings.event_source))
    catalogue = Catalogue(feed.caught_up)
    known_registry = KnownRegistry(settings.registry_file)
    idempotency = IdempotencyKeys(database["idempotency_keys"])
    evidence_store = EvidenceStore(database)
    scanner = (CommandScanner(settings.evidence_scan_command, settings.evidence_scan_timeout_seconds)
               if settings.evidence_scan_command else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        connecting = asyncio.create_task(publisher.keep_connecting())
        reading = asyncio.create_task(feed.follow(catalogue))
        indexing = asyncio.create_task(when_reachable(evidence_store.prepare))
        yield
        for task in (connecting, reading, indexing):
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await broker.stop()
        await client.close()

    app = FastAPI(title="duban intake", summary="Measures and progress reports in, CloudEvents out.", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served from vendored assets by install_docs
    # What entrypoints/http/dependencies.py hands the routes.
    app.state.settings = settings
    app.state.known_registry = known_registry
    app.state.progress = ProgressAcceptance(catalogue, lambda: known_registry.current()[0], publisher, idempotency,
                                            topics, settings.clock_skew)
    app.state.plans = PlanImports(publisher, topics)
    app.state.measures = MeasureCreation(publisher, idempotency, catalogue, topics)
    app.state.registries = RegistryPublication(publisher, known_registry, topics)
    tracker = (settings.tracker_url, settings.tracker_timeout_seconds,
               settings.tracker_token and settings.tracker_token.get_secret_value())
    app.state.loop_steps = LoopStepAcceptance(publisher, idempotency, TrackerLoop(*tracker), topics)
    app.state.templates = LedgerTemplates(TrackerAssignments(*tracker))
    app.state.evidence = EvidenceFiles(evidence_store, scanner, TrackerAssignments(*tracker))
    install_authentication(app, settings, clients)  # read by shared/web/authentication's Caller
    install_problem_handlers(app)
    install_limits(app, settings.rate_limit)
    install_request_ids(app)
    install_docs(app, settings)
    roles = {measures: Role.planner, progress: Role.reporter, plans: Role.planner, ledgers: Role.reporter,
             registry: Role.planner}
    for module, role in roles.items():  # every route but the probes needs a credential in the role
        app.include_router(module.router, dependencies=[requires(role)])
    # per route: the loop (the unit's steps a reporter's, checking a planner's); evidence (uploading a reporter's,
    # reading a reporter's, planner's or viewer's)
    app.include_router(loop.router)
    app.include_router(evidence.router(settings.evidence_max_bytes))
    install_audit(app, database["intake_audit"])
    install_health(app, intake_readiness(broker, database, is_open(app.state)))
    instrument(app, "intake", settings, broker)
    return app
