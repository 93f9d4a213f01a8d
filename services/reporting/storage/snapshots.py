"""What requests are answered from, and when it is read again (stale-while-revalidate).

- `max_age_seconds > 0`: a snapshot older than that is read again in the background while requests go on being
  answered from the one in hand; only the very first request waits. Figures are at most max_age plus one refresh
  behind reporting's collections.
- `max_age_seconds == 0`: every request reads afresh (tests, and small deployments; an incremental refresh
  of the read model reads only what changed, storage/read_model.py).

`warm` prepares what is read in a worker thread before it replaces the one in hand (the default monthly series
of a History), so the requests after a refresh do not pay for it.
"""

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import structlog

log = structlog.get_logger()
Kept = TypeVar("Kept")


class Snapshots(Generic[Kept]):
    def __init__(self, read: Callable[[], Awaitable[Kept]], max_age_seconds: float,
                 clock: Callable[[], float] = time.monotonic, warm: Callable[[Kept], object] | None = None):
        self.read = read
        self.max_age_seconds = max_age_seconds
        self.clock = clock
        self.warm = warm
        self.snapshot: Kept | None = None
        self.taken_at = 0.0
        self.first_read = asyncio.Lock()
        self.refreshing: asyncio.Task | None = None

    async def current(self) -> Kept:
        if self.max_age_seconds <= 0:
            return await self.read()
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
        snapshot = await self.read()
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
