"""A generated city (tests/unit/reporting/generated.py) stored as the tracker would have stored it, or as
reporting stores the events that carry it (with the alerts service's episodes on some days: reporting counts
overdue, lagging and silent from them)."""

from services.reporting.storage.collections import ReportingStore
from services.reporting.usecases.record import record


async def store_city(database, city, history: list[dict] | None = None) -> None:
    await database["registry"].insert_one({"_id": "current", "registry": city.registry})
    await database["measures"].insert_many(city.measures)
    await database["assignments"].insert_many(city.assignments)
    await database["assignment_progress"].insert_many(city.progress)
    if history:
        await database["progress_reports"].insert_many(history)


async def record_city(database, city, reports: list[dict] | None = None, alert_days=(), light_days=()) -> None:
    """The city's events (GeneratedCity.events), the alert episodes judged on `alert_days`
    (GeneratedCity.alert_events) and the lights judged on `light_days` (GeneratedCity.light_events), applied to
    reporting's own collections by its use cases."""
    await record(ReportingStore(database), [*city.events(reports), *city.alert_events(alert_days),
                                            *city.light_events(light_days)])
