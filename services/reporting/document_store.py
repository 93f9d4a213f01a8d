"""The documents reporting files on a schedule (督办通报), kept where an operator lists and downloads them.

Collection `reporting_documents`, one record per document: `_id` `bulletin-<region>-<period>`, kind, region_code,
period, filename, created_at, size, content (the .docx bytes). The id makes generation idempotent: several
reporting replicas, or a restart on the same day, store each bulletin once (the second insert is refused as a
duplicate and ignored).

The schedule (settings.bulletin_day_of_month, 0: off): from that day of each month on (China's calendar), the
bulletin of the month before is made for each region in settings.bulletin_regions (default: the home region)
unless it is stored already; checked every settings.bulletin_check_seconds, so a service that was down on the
day catches up when it starts. Listing: `GET /v1/reports/documents`; download: `GET
/v1/reports/documents/{id}.docx` (entrypoints/documents.py).
"""

import asyncio
from datetime import UTC, date, datetime, timedelta

import structlog
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.reporting.domain.documents.bulletin import bulletin, bulletin_docx
from services.reporting.domain.snapshot import Snapshot
from services.reporting.storage import Snapshots
from shared.calendar import today_in_china

log = structlog.get_logger()
COLLECTION = "reporting_documents"
LISTED = {"content": 0}


class DocumentStore:
    def __init__(self, database: AsyncDatabase) -> None:
        self.documents = database[COLLECTION]

    async def add(self, document_id: str, kind: str, region_code: str, period: str, content: bytes) -> bool:
        """Store a document; False when one with this id is stored already (it is left as it was)."""
        try:
            await self.documents.insert_one({
                "_id": document_id, "kind": kind, "region_code": region_code, "period": period,
                "filename": f"{document_id}.docx", "created_at": datetime.now(UTC), "size": len(content),
                "content": content})
        except DuplicateKeyError:
            return False
        return True

    async def has(self, document_id: str) -> bool:
        return await self.documents.count_documents({"_id": document_id}, limit=1) > 0

    async def listing(self, region_code: str | None = None, kind: str | None = None) -> list[dict]:
        """The stored documents without their content, the newest first."""
        query = {key: value for key, value in (("region_code", region_code), ("kind", kind)) if value}
        cursor = self.documents.find(query, LISTED).sort([("created_at", -1), ("_id", 1)])
        return [{"id": d.pop("_id"), **d, "created_at": d["created_at"].isoformat()} async for d in cursor]

    async def content(self, document_id: str) -> bytes | None:
        found = await self.documents.find_one({"_id": document_id}, {"content": 1})
        return None if found is None else bytes(found["content"])


def bulletin_id(region_code: str, period: str) -> str:
    return f"bulletin-{region_code}-{period}"


def previous_month(today: date) -> str:
    """The label of the month before `today`'s: 2026-11-05 → 2026-10."""
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


def monthly_bulletin(snapshot: Snapshot, region_code: str, period: str, today: date) -> bytes:
    """A month's bulletin, numbered by its month (2026-10: 第10期)."""
    return bulletin_docx(bulletin(snapshot, region_code, period, today), issue=int(period[5:]))


async def file_due_bulletins(store: DocumentStore, snapshots: Snapshots, regions: list[str], day_of_month: int,
                             today: date) -> list[str]:
    """Make and store the bulletins due at `today` that are not stored yet; the ids stored."""
    if not day_of_month or today.day < day_of_month:
        return []
    period = previous_month(today)
    stored = []
    for region_code in regions:
        document_id = bulletin_id(region_code, period)
        if await store.has(document_id):
            continue
        snapshot = await snapshots.current()
        content = await asyncio.to_thread(monthly_bulletin, snapshot, region_code, period, today)
        if await store.add(document_id, "bulletin", region_code, period, content):
            log.info("bulletin filed", document_id=document_id, size=len(content))
            stored.append(document_id)
    return stored


async def run_bulletin_schedule(store: DocumentStore, snapshots: Snapshots, regions: list[str], day_of_month: int,
                                check_seconds: float) -> None:
    """The background task: file the due bulletins now and after every `check_seconds`, until cancelled. A
    failure is logged and tried again at the next check."""
    while True:
        try:
            await file_due_bulletins(store, snapshots, regions, day_of_month, today_in_china())
        except Exception:  # noqa: BLE001 - the schedule must outlive one failed run; the next check retries
            log.exception("filing the scheduled bulletins failed")
        await asyncio.sleep(check_seconds)
