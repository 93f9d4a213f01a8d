"""alerts' composition root."""

from fastapi import FastAPI

from services.alerts.entrypoints import api
from services.alerts.settings import AlertsSettings, load_rules
from shared.readers import create_reader_app


def create_app(settings: AlertsSettings | None = None) -> FastAPI:
    settings = settings or AlertsSettings()
    app = create_reader_app("alerts", "Overdue, due-soon, lagging and silent units.", settings, [api.router])
    app.state.alert_rules = load_rules(settings.alert_rules_file)
    return app
