"""reporting's composition root."""

import asyncio
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from prometheus_client import Gauge

from services.reporting.document_store import DocumentStore, run_bulletin_schedule
from services.reporting.entrypoints import api, dashboard, documents, operations
from services.reporting.settings import ReportingSettings
from services.reporting.storage import Snapshots, evaluate_default_series, read_history
from shared.readers import create_reader_app


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    app = create_reader_app("reporting", "Consolidated figures and the dashboard.", settings,
                            [api.router, dashboard.router, documents.router, operations.router])
    app.state.home_region_code = settings.home_region_code
    app.state.metrics_targets = settings.metrics_targets
    database = app.state.tracker_state.database
    snapshots = app.state.snapshots = Snapshots(database, settings.snapshot_max_age_seconds)
    histories = app.state.histories = Snapshots(database, settings.history_max_age_seconds, read=read_history,
                                                warm=evaluate_default_series)
    store = app.state.documents = DocumentStore(database)
    Gauge("duban_read_model_age_seconds", "Age of the snapshot of the tracker's state the figures are answered from",
          registry=app.state.metrics.registry).set_function(snapshots.age)
    reader_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with reader_lifespan(app):
            schedule = None
            if settings.bulletin_day_of_month:
                schedule = asyncio.create_task(run_bulletin_schedule(
                    store, snapshots, settings.bulletin_regions or [settings.home_region_code],
                    settings.bulletin_day_of_month, settings.bulletin_check_seconds))
            yield
            if schedule is not None:
                schedule.cancel()
                with suppress(asyncio.CancelledError):
                    await schedule
            await snapshots.close()  # before the database client closes
            await histories.close()

    app.router.lifespan_context = lifespan
    return app
