"""A generated city (tests/unit/reporting/generated.py) stored as the tracker would have stored it, or as
reporting stores the events that carry it (with the alerts service's episodes on some days: reporting counts
overdue, lagging and silent from them)."""

from datetime import UTC, datetime

from services.reporting.storage.collections import ReportingStore
from services.reporting.usecases.record import record


async def store_city(database, city, history: list[dict] | None = None) -> None:
    await database["registry"].insert_one({"_id": "current", "registry": city.registry})
    await database["measures"].insert_many(city.measures)
    await database["assignments"].insert_many(city.assignments)
    await database["assignment_progress"].insert_many(city.progress)
    if history:
        await database["progress_reports"].insert_many(history)


async def record_city(database, city, reports: list[dict] | None = None, alert_days=(), light_days=(),
                      issued: datetime = datetime(2026, 1, 1, tzinfo=UTC), loop_steps: bool = False) -> None:
    """The city's events (GeneratedCity.events, published at `issued`), the alert episodes judged on `alert_days`
    (GeneratedCity.alert_events), the lights judged on `light_days` (GeneratedCity.light_events) and, with
    `loop_steps`, the supervision loop's steps (GeneratedCity.loop_events), applied to reporting's own collections
    by its use cases."""
    await record(ReportingStore(database), [*city.events(reports, issued), *city.alert_events(alert_days),
                                            *city.light_events(light_days),
                                            *(city.loop_events(reports) if loop_steps else ())])
