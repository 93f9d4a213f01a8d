"""reporting's composition root."""

from fastapi import FastAPI

from services.reporting.entrypoints import api, dashboard
from services.reporting.settings import ReportingSettings
from shared.readers import create_reader_app


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    app = create_reader_app("reporting", "Consolidated figures and the dashboard.", settings,
                            [api.router, dashboard.router])
    app.state.home_region_code = settings.home_region_code
    return app
