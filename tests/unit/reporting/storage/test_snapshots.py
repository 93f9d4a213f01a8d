"""The in-memory snapshot: read once, then refreshed in the background when older than its max age."""

import asyncio

from services.reporting.domain.snapshot import Snapshot
from services.reporting.storage.snapshots import Snapshots


class Reads:
    def __init__(self):
        self.count = 0

    async def __call__(self) -> Snapshot:
        self.count += 1
        await asyncio.sleep(0)
        return Snapshot([], {}, {}, read_at=str(self.count))


async def test_requests_are_answered_from_the_snapshot_until_it_is_older_than_its_max_age():
    now, reads = [0.0], Reads()
    snapshots = Snapshots(reads, 30, clock=lambda: now[0])
    first, second = await asyncio.gather(snapshots.current(), snapshots.current())
    assert first is second and reads.count == 1  # concurrent first requests share one read
    now[0] = 31
    stale = await snapshots.current()  # answered at once from the old one, a read starts behind it
    assert stale is first
    await snapshots.refreshing
    assert (await snapshots.current()).read_at == "2" and reads.count == 2
    await snapshots.close()


async def test_a_max_age_of_zero_reads_on_every_request():
    reads = Reads()
    snapshots = Snapshots(reads, 0)
    await snapshots.current()
    await snapshots.current()
    assert reads.count == 2
