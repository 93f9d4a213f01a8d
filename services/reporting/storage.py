"""Reading the tracker's state for reports, and keeping it in memory between requests.

One read fetches the assignments and their current progress with a projection (only the fields the
figures use), the measures and the registry, and joins them as shared/state.py does; beside them, the alerts
service's open alerts and its lagging and silent episodes (domain/flags.py). A city-wide read is
far slower than the arithmetic over it (bench/reporting_rollup.py), so the result is kept as a snapshot:

- `max_age_seconds > 0`: a snapshot older than that is read again in the background while requests go on
  being answered from the one in hand (stale-while-revalidate); only the very first request waits. Figures
  are therefore at most max_age plus one read behind the tracker.
- `max_age_seconds == 0`: every request reads the state afresh (tests, and small deployments).

A refreshed snapshot is evaluated for today (China's day) and the default cadence, in a worker thread,
before it replaces the old one, so the requests after a refresh do not pay the evaluation either.
Breakdowns and rankings are kept per snapshot once computed (domain/snapshot.py).

The history past days are rebuilt from (every report: domain/history.py) is kept the same way, with each
day's figures kept on it once evaluated.
"""

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Generic, TypeVar

import structlog
from pymongo.asynchronous.database import AsyncDatabase

from services.reporting.domain.flags import FLAGGED_KINDS, Flag, open_flags
from services.reporting.domain.history import History, default_months, join
from services.reporting.domain.snapshot import Snapshot
from shared.calendar import CHINA, today_in_china
from shared.state import COUNTED_REPORTS

log = structlog.get_logger()

ASSIGNMENT_FIELDS = {"measure_id": 1, "unit": 1, "unit_name": 1, "role": 1, "region_code": 1}
PROGRESS_FIELDS = {"measure_id": 1, "unit": 1, "region_code": 1, "status": 1, "percent_complete": 1,
                   "period": 1, "reported_at": 1, "completed_at": 1, "indicator_values": 1}
MEASURE_FIELDS = {"number": 1, "title": 1, "chapter": 1, "section": 1, "plan_id": 1, "region_code": 1, "lead_units": 1,
                  "deadlines": 1, "targets": 1, "start_date": 1}
BATCH = 10_000


async def read_snapshot(database: AsyncDatabase) -> Snapshot:
    read_at = datetime.now(UTC).isoformat()
    progress, assignments, measures, regions, (flags, open_alerts) = await _read(database, "assignment_progress")
    views = join(assignments, {p["_id"]: p for p in progress})
    return Snapshot(views, measures, regions, read_at, flags, open_alerts)


async def read_history(database: AsyncDatabase) -> History:
    """What past days are rebuilt from (domain/history.py): every report instead of the current ones."""
    reports, assignments, measures, regions, (flags, _) = await _read(database, "progress_reports")
    return History(assignments, reports, measures, regions, flags)


async def _read(database: AsyncDatabase, progress: str):
    """The reports (current or all: `progress` names the collection), assignments, measures by id, regions by
    code, and the alerts (read_alerts), read concurrently."""
    reports, assignments, measures, registry, alerts = await asyncio.gather(
        _all(database[progress], PROGRESS_FIELDS, COUNTED_REPORTS if progress == "progress_reports" else None),
        _all(database["assignments"], ASSIGNMENT_FIELDS),
        _all(database["measures"], MEASURE_FIELDS),
        database["registry"].find_one({"_id": "current"}),
        read_alerts(database),
    )
    return reports, assignments, {m["_id"]: m for m in measures}, regions_of(registry), alerts


def regions_of(registry: dict | None) -> dict[str, dict]:
    return {r["code"]: r for r in ((registry or {}).get("registry") or {}).get("regions", [])}


# The alerts service's collections (services/alerts/storage/repository.py): open alerts (`_id` the alert's key)
# and closed episodes keep the fields queries filter on at the top level, the whole alert under `alert`. The
# snapshot reads the top-level fields only (reading whole alerts takes twice as long: bench/reporting_rollup.py);
# the alert list fetches the whole alerts for the rows it shows.
OPEN_ALERT_FIELDS = {"kind": 1, "severity": 1, "measure_id": 1, "unit": 1, "region_code": 1, "opened_at": 1}
EPISODE_FIELDS = {"_id": 0, "kind": 1, "measure_id": 1, "unit": 1, "opened_at": 1, "closed_at": 1}


async def read_alerts(database: AsyncDatabase) -> tuple[list[Flag], list[dict]]:
    """The lagging and silent episodes, open and closed, and every open alert (its key, kind, severity, whom it
    concerns and when it opened: what the alert list sorts and counts by)."""
    opened, closed = await asyncio.gather(
        _all(database["open_alerts"], OPEN_ALERT_FIELDS),
        database["alert_history"].find({"kind": {"$in": list(FLAGGED_KINDS)}}, EPISODE_FIELDS,
                                       batch_size=BATCH).to_list(None))
    open_alerts = [{"key": doc.pop("_id"), **doc, "opened_at": doc["opened_at"].isoformat()} for doc in opened]
    closed_flags = [Flag(doc["kind"], doc["measure_id"], doc["unit"], doc["opened_at"], doc["closed_at"])
                    for doc in closed]
    return open_flags(open_alerts) + closed_flags, open_alerts


async def read_alert_details(database: AsyncDatabase, keys: list[str]) -> dict[str, dict]:
    """The whole alerts under these keys that are still open: reason, figures, unit name, acknowledged or not."""
    found = database["open_alerts"].find({"_id": {"$in": keys}}, {"alert": 1, "acknowledgements": 1})
    return {doc["_id"]: {**doc["alert"], "acknowledged": bool(doc.get("acknowledgements"))} async for doc in found}


async def _all(collection, projection: dict, query: dict | None = None) -> list[dict]:
    return await collection.find(query or {}, projection, batch_size=BATCH).to_list(None)


REPORT_FIELDS = {"_id": 0, "measure_id": 1, "unit": 1, "region_code": 1, "period": 1, "status": 1,
                 "percent_complete": 1, "reported_at": 1, "narrative": 1, "evidence": 1, "indicator_values": 1}


async def read_reports(database: AsyncDatabase, *, year: int | None = None, measure_id: str | None = None
                       ) -> list[dict]:
    """Reports from the tracker's history (progress_reports), with their narrative and evidence: those made
    during a year (China's calendar) or one measure's, oldest first. Not in the snapshot: only the annual
    report and a measure's detail need them."""
    query: dict = dict(COUNTED_REPORTS)
    if year is not None:
        start, end = datetime(year, 1, 1, tzinfo=CHINA), datetime(year + 1, 1, 1, tzinfo=CHINA)
        query["reported_at"] = {"$gte": start, "$lt": end}
    if measure_id is not None:
        query["measure_id"] = measure_id
    return await database["progress_reports"].find(query, REPORT_FIELDS, batch_size=BATCH).sort(
        [("reported_at", 1)]).to_list(None)


def evaluate_today(snapshot: Snapshot) -> None:
    snapshot.evaluation(today_in_china())


def evaluate_default_series(history: History) -> None:
    """The default monthly series up to today (what the dashboard asks for), so no request pays for it."""
    for day in default_months(today_in_china()):
        history.evaluation(day)


Kept = TypeVar("Kept")


class Snapshots(Generic[Kept]):
    """What requests are answered from, read by `read` and kept (see the module's documentation); `warm`
    prepares a fresh one in a worker thread before it replaces the one in hand."""

    def __init__(self, database: AsyncDatabase, max_age_seconds: float, clock: Callable[[], float] = time.monotonic,
                 read: Callable[[AsyncDatabase], Awaitable[Kept]] = read_snapshot,
                 warm: Callable[[Kept], object] | None = evaluate_today):
        self.database = database
        self.max_age_seconds = max_age_seconds
        self.clock = clock
        self.read = read
        self.warm = warm
        self.snapshot: Kept | None = None
        self.taken_at = 0.0
        self.first_read = asyncio.Lock()
        self.refreshing: asyncio.Task | None = None

    async def current(self) -> Kept:
        if self.max_age_seconds <= 0:
            return await self.read(self.database)
        if self.snapshot is None:
            async with self.first_read:
                if self.snapshot is None:
                    await self._refresh()
        elif self.clock() - self.taken_at > self.max_age_seconds and not self.refreshing:
            self.refreshing = asyncio.create_task(self._refresh_in_background())
        assert self.snapshot is not None
        return self.snapshot

    def age(self) -> float:
        """Seconds since the snapshot in hand was read (NaN before the first; 0 when every request reads)."""
        if self.max_age_seconds <= 0:
            return 0.0
        return self.clock() - self.taken_at if self.snapshot is not None else math.nan

    async def _refresh(self) -> None:
        started = self.clock()
        snapshot = await self.read(self.database)
        if self.warm:
            await asyncio.to_thread(self.warm, snapshot)
        self.snapshot, self.taken_at = snapshot, started

    async def _refresh_in_background(self) -> None:
        try:
            await self._refresh()
        except Exception:  # the snapshot in hand keeps serving; the next request tries again
            log.exception("reports_snapshot_read_failed")
        finally:
            self.refreshing = None

    async def close(self) -> None:
        if self.refreshing:
            self.refreshing.cancel()
            await asyncio.gather(self.refreshing, return_exceptions=True)
