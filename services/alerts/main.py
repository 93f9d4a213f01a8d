"""alerts' composition root: settings, rules, broker, database, stores, use cases, subscribers, sweep and app."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial

import structlog
from fastapi import FastAPI

from services.alerts.entrypoints.http import alerts, channels, lights, operations, subscriptions
from services.alerts.entrypoints.kafka.subscribers import register_subscribers
from services.alerts.notifications.notifier import Notifier, NotifierPolicy
from services.alerts.notifications.occasions import ReminderPolicy
from services.alerts.notifications.secrets import Sealer
from services.alerts.settings import AlertsSettings, load_rules
from services.alerts.storage.inputs import Inputs
from services.alerts.storage.notifications import NotificationStore
from services.alerts.storage.repository import AlertStore
from services.alerts.storage.webhooks import WebhookStore
from services.alerts.usecases.evaluate import AlertsService
from services.alerts.usecases.urges import Urging
from services.alerts.usecases.webhooks import Deliverer, DeliveryPolicy, migrate_secrets
from shared.contracts import CloudEvent, Topics
from shared.database import connect_database, when_reachable
from shared.destinations import DestinationPolicy
from shared.kafka.broker import connecting_in_background, create_broker, publish_event
from shared.logging import configure_logging, install_request_ids
from shared.metrics import ServiceMetrics, count_documents
from shared.secrets import SecretBox
from shared.web.audit import install_audit
from shared.web.authentication import install_authentication, load_clients, requires
from shared.web.clients import Role
from shared.web.docs import install_docs
from shared.web.health import consumer_readiness, install_health
from shared.web.limits import install_limits
from shared.web.problems import install_problem_handlers

log = structlog.get_logger()


async def sweep_periodically(service: AlertsService, interval: float) -> None:
    while True:
        try:
            await service.sweep()
        except Exception as error:  # the database or Kafka away: the next tick tries again
            log.warning("alerts_sweep_failed", error=repr(error))
        await asyncio.sleep(interval)


def create_app(settings: AlertsSettings | None = None) -> FastAPI:
    settings = settings or AlertsSettings()
    configure_logging(settings.log_level)
    rules = load_rules(settings.alert_rules_file)
    broker = create_broker(settings, client_id="duban-alerts")
    client, database = connect_database(settings)
    topics = Topics(settings.topic_prefix)
    store = AlertStore(database)
    inputs = Inputs(database)

    async def publish(event: CloudEvent, key: str) -> None:
        await publish_event(broker, topics.for_alert_event(event.type), event, key)

    webhooks = WebhookStore(database)
    secret_box = SecretBox.from_settings(settings)  # refuses to start outside development without a key
    destinations = DestinationPolicy.of(settings.webhook_allowed_networks, settings.webhook_allowed_hosts)
    deliverer = Deliverer(webhooks, DeliveryPolicy(
        timeout_seconds=settings.webhook_timeout_seconds, max_attempts=settings.webhook_max_attempts,
        first_backoff_seconds=settings.webhook_first_backoff_seconds,
        max_backoff_seconds=settings.webhook_max_backoff_seconds, concurrency=settings.webhook_concurrency,
        poll_seconds=settings.webhook_poll_seconds), secret_box, destinations)
    sealer = Sealer(secret_box)
    notifications = NotificationStore(database)
    notifier = Notifier(notifications, store, inputs, sealer, NotifierPolicy(
        reminders=ReminderPolicy(frozenset(settings.notification_days_before),
                                 settings.notification_overdue_every_days, settings.notification_hold_off_seconds),
        delivery=DeliveryPolicy(
            timeout_seconds=settings.notification_timeout_seconds, max_attempts=settings.notification_max_attempts,
            first_backoff_seconds=settings.notification_first_backoff_seconds,
            max_backoff_seconds=settings.notification_max_backoff_seconds, poll_seconds=settings.webhook_poll_seconds),
        throttled_retry_seconds=settings.notification_throttled_retry_seconds,
        plan_interval_seconds=settings.notification_plan_interval_seconds), destinations)
    service = AlertsService(inputs, store, rules, publish, on_published=deliverer.published)
    clients = load_clients(settings)  # the routes' callers, and the producers of the measures and registries it reads
    register_subscribers(broker, inputs, service, settings, clients)

    async def prepare_database() -> None:
        await store.ensure_indexes()
        await store.flag_pending()
        await inputs.ensure_indexes()
        await webhooks.ensure_indexes()
        await notifications.ensure_indexes()
        await migrate_secrets(webhooks, secret_box)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Listens at once; the subscribers and the loops start once the indexes are there and the secrets sealed
        # (the database may be away at start: /readyz names it meanwhile).
        prepared = asyncio.create_task(when_reachable(prepare_database))

        async def once_prepared(run: Callable[[], Awaitable[None]]) -> None:
            await asyncio.shield(prepared)
            await run()

        async with connecting_in_background(broker, settings, start_subscribers=True,
                                            first=asyncio.shield(prepared)) as app.state.kafka_connecting:
            loops = [deliverer.run, notifier.run]
            if settings.alerts_sweep_interval_seconds > 0:
                loops.append(partial(sweep_periodically, service, settings.alerts_sweep_interval_seconds))
            tasks = [prepared, *(asyncio.create_task(once_prepared(run)) for run in loops)]
            yield
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await deliverer.close()
            await notifier.close()
        await client.close()

    app = FastAPI(title="duban alerts", summary="Overdue, due-soon, lagging, silent and unsigned units, "
                  "completions awaiting verification, and each assignment's light.", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served from vendored assets by install_docs
    app.state.inputs = inputs
    install_authentication(app, settings, clients)
    app.state.alert_rules = rules
    app.state.alert_store = store
    app.state.alerts_service = service
    app.state.webhook_store = webhooks
    app.state.notification_store, app.state.notifier, app.state.sealer = notifications, notifier, sealer
    app.state.urging = Urging(notifications, notifier, service)
    app.state.secret_box = secret_box
    app.state.destinations = destinations
    install_problem_handlers(app)
    install_limits(app, settings.rate_limit)
    install_request_ids(app)
    install_docs(app, settings)
    app.include_router(operations.router, dependencies=[requires(Role.planner)])
    app.include_router(alerts.router, dependencies=[requires(Role.viewer)])
    app.include_router(lights.router, dependencies=[requires(Role.viewer)])
    app.include_router(subscriptions.router, dependencies=[requires(Role.admin)])
    app.include_router(channels.router)  # channels (admin), urging (planner), urges (viewer): per route
    install_audit(app, database["alerts_audit"])
    metrics = ServiceMetrics("alerts", settings).instrument(app, broker)
    metrics.watch_consumer_lag([settings.alerts_consumer_group])
    count_documents(metrics, "duban_open_alerts", "Open alerts", store.open, ["kind", "severity"])
    count_documents(metrics, "duban_webhook_deliveries", "Webhook deliveries not delivered (yet)",
                    webhooks.deliveries, ["status"], {"status": {"$in": ["pending", "failed"]}})
    install_health(app, consumer_readiness("alerts", broker, database))
    return app
