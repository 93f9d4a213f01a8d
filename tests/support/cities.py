"""A generated city (tests/unit/reporting/generated.py) stored as the tracker would have stored it, and the
alerts service's closed episodes on some days (reporting counts overdue, lagging and silent from them)."""


async def store_city(database, city, history: list[dict] | None = None, alert_days=()) -> None:
    await database["registry"].insert_one({"_id": "current", "registry": city.registry})
    await database["measures"].insert_many(city.measures)
    await database["assignments"].insert_many(city.assignments)
    await database["assignment_progress"].insert_many(city.progress)
    if history:
        await database["progress_reports"].insert_many(history)
    if episodes := city.episodes(alert_days):
        await database["alert_history"].insert_many([
            {"kind": f.kind, "measure_id": f.measure_id, "unit": f.unit, "opened_at": f.opened_at,
             "closed_at": f.closed_at} for f in episodes])
