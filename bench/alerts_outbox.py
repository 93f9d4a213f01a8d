"""Times what alerts' outbox costs after every batch, at 20,000 open alerts in a real database (issue 12).

Usage: python bench/alerts_outbox.py [--open 20000] [--pending 20] [--rounds 20] [--mongodb-url URL]
Without --mongodb-url it starts a local database (no Kafka) in a temporary directory and stops it at the end.
Stores `--open` open alerts whose events were published (empty outboxes, as between batches) and a history of as
many closed episodes, then prints, as medians over `--rounds`:
- the lookup as it was: `{"outbox.0": {"$exists": true}}` on both collections (the server scans them);
- the lookup now: `AlertStore.pending` on the sparse-indexed `pending` flag;
- a whole publication pass (`AlertsService.publish_pending`, events to a counter, not Kafka: bench/alerts_latency.py
  times Kafka's part) after `--pending` alerts were raised with their events, lookup and outbox emptying included.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from pymongo import AsyncMongoClient  # noqa: E402

from deploy.local.install import install  # noqa: E402
from deploy.local.stack import LocalStack  # noqa: E402
from services.alerts.domain.alerts import Alert, Kind, Severity  # noqa: E402
from services.alerts.domain.rules import RulesBook  # noqa: E402
from services.alerts.storage.inputs import Inputs  # noqa: E402
from services.alerts.storage.repository import AlertStore, fields  # noqa: E402
from services.alerts.usecases.evaluate import AlertsService, raised_event  # noqa: E402

DATABASE = "bench_alerts_outbox"
AT = datetime(2026, 7, 1, 8, tzinfo=UTC)
LOOKUP_BEFORE = {"outbox.0": {"$exists": True}}  # what AlertStore.pending asked before the pending flag


def alert(n: int) -> Alert:
    return Alert(kind=Kind.OVERDUE, severity=Severity.WARNING, measure_id=f"m-{n % 500}", unit=f"u-{n}",
                 unit_name=f"单位{n}", region_code="361000", reason="逾期未报", figures={"days_overdue": 3},
                 plan_id="p")


async def median_seconds(action, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def run(url: str, open_alerts: int, pending: int, rounds: int) -> None:
    async with AsyncMongoClient(url, tz_aware=True) as client:
        await client.drop_database(DATABASE)
        database = client[DATABASE]
        store = AlertStore(database)
        await store.ensure_indexes()
        await store.open.insert_many([{"_id": alert(n).key, **fields(alert(n)), "episode": f"e{n}", "opened_at": AT,
                                       "updated_at": AT, "severity_changes": [], "acknowledgements": [], "version": 1,
                                       "outbox": []} for n in range(open_alerts)])
        await store.history.insert_many([{"_id": f"closed-{n}", **fields(alert(n)), "key": alert(n).key,
                                          "opened_at": AT, "closed_at": AT, "outbox": []} for n in range(open_alerts)])

        async def lookup_before() -> None:
            for collection in (store.open, store.history):
                await collection.find(LOOKUP_BEFORE, {"outbox": 1}).to_list()

        async def lookup_now() -> None:
            await store.pending(1000)

        published = 0

        async def count(event, key) -> None:
            nonlocal published
            published += 1

        service = AlertsService(Inputs(database), store, RulesBook(), count)
        passes = []
        for round_number in range(rounds):
            fresh = [alert(open_alerts + round_number * pending + n) for n in range(pending)]
            await store.raise_alerts([(a, f"new-{a.unit}", raised_event(a, f"new-{a.unit}", AT, AT.date()))
                                      for a in fresh], AT)
            started = time.perf_counter()
            await service.publish_pending()
            passes.append(time.perf_counter() - started)
        assert published == rounds * pending and await store.pending(1000) == []

        print(f"alerts outbox at {open_alerts:,} open alerts and {open_alerts:,} closed episodes "
              f"(median of {rounds} rounds)")
        print(f"  lookup as it was ({{'outbox.0': {{'$exists': true}}}}, both collections): "
              f"{await median_seconds(lookup_before, rounds) * 1000:9.1f} ms")
        print(f"  lookup now (sparse-indexed pending flag):                     "
              f"{await median_seconds(lookup_now, rounds) * 1000:9.1f} ms")
        print(f"  publication pass now, {pending} alerts raised before it:            "
              f"{statistics.median(passes) * 1000:9.1f} ms")
        await client.drop_database(DATABASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument("--pending", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--mongodb-url")
    args = parser.parse_args()
    stack = None
    if not args.mongodb_url:
        stack = LocalStack(Path(tempfile.mkdtemp(prefix="duban-bench-")), default_ports=False, tie_to_parent=True)
        args.mongodb_url = stack.start_database(install())
    try:
        asyncio.run(run(args.mongodb_url, args.open, args.pending, args.rounds))
    finally:
        if stack:
            stack.stop()


if __name__ == "__main__":
    main()
