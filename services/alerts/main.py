"""alerts' composition root."""

from fastapi import FastAPI

from services.alerts.entrypoints import api
from services.alerts.settings import AlertsSettings
from shared.readers import create_reader_app


def create_app(settings: AlertsSettings | None = None) -> FastAPI:
    return create_reader_app("alerts", "Overdue and lagging units.", settings or AlertsSettings(), [api.router])
