"""督办通报 on a schedule (settings.bulletin_day_of_month, 0: off): from that day of each month on (China's
calendar), the bulletin of the month before is made for each region in settings.bulletin_regions (default: the
home region) unless it is stored already (storage/documents.py); checked every settings.bulletin_check_seconds,
so a service that was down on the day catches up when it starts.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import structlog

from services.reporting.domain.documents.bulletin import bulletin, bulletin_docx
from services.reporting.domain.snapshot import Snapshot
from services.reporting.storage.documents import DocumentStore
from services.reporting.usecases.scoring import Scoring
from shared.domain.calendar import today_in_china

log = structlog.get_logger()
CurrentSnapshot = Callable[[], Awaitable[Snapshot]]


def bulletin_id(region_code: str, period: str) -> str:
    return f"bulletin-{region_code}-{period}"


def previous_month(today: date) -> str:
    """The label of the month before `today`'s: 2026-11-05 → 2026-10."""
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


def monthly_bulletin(snapshot: Snapshot, region_code: str, period: str, today: date,
                     scores: dict | None = None) -> bytes:
    """A month's bulletin, numbered by its month (2026-10: 第10期), with the year's 考核 scores when given."""
    return bulletin_docx(bulletin(snapshot, region_code, period, today, scores), issue=int(period[5:]))


async def file_due_bulletins(store: DocumentStore, current: CurrentSnapshot, regions: list[str],
                             day_of_month: int, today: date, scoring: Scoring | None = None) -> list[str]:
    """Make and store the bulletins due at `today` that are not stored yet, with the 考核 scores of the month's
    year within the region when `scoring` is given; the ids stored."""
    if not day_of_month or today.day < day_of_month:
        return []
    period = previous_month(today)
    stored = []
    for region_code in regions:
        document_id = bulletin_id(region_code, period)
        if await store.has(document_id):
            continue
        snapshot = await current()
        scores = await scoring.ranking(int(period[:4]), region_code) if scoring is not None else None
        content = await asyncio.to_thread(monthly_bulletin, snapshot, region_code, period, today, scores)
        if await store.add(document_id, "bulletin", region_code, period, content):
            log.info("bulletin filed", document_id=document_id, size=len(content))
            stored.append(document_id)
    return stored


async def run_bulletin_schedule(store: DocumentStore, current: CurrentSnapshot, regions: list[str],
                                day_of_month: int, check_seconds: float, scoring: Scoring | None = None) -> None:
    """The background task: file the due bulletins now and after every `check_seconds`, until cancelled. A
    failure is logged and tried again at the next check."""
    while True:
        try:
            await file_due_bulletins(store, current, regions, day_of_month, today_in_china(), scoring)
        except Exception:  # noqa: BLE001 - the schedule must outlive one failed run; the next check retries
            log.exception("filing the scheduled bulletins failed")
        await asyncio.sleep(check_seconds)
