"""Times the alerts service's stored sweep over 100,000 assignments in a real database: alerts' own inputs read,
every rule, the transitions against the stored open alerts, and their writes (events go to a counter, not Kafka:
bench/alerts_latency.py times Kafka's part).

Usage: python bench/alerts_stored_sweep.py [--assignments 100000] [--measures 500] [--mongodb-url URL]
Without --mongodb-url it starts the local stack (its database is used) in a temporary directory and stops it at
the end. The assignments are bench/alerts_sweep.py's. Prints four sweeps: the first (every alert raised and
written), the same day again (nothing changes, nothing written or published), the next day (figures such as
days overdue change on every open alert; some alerts open, close or change severity), and the day after by two
services at once on the database, as two alerts processes (each transition written once: the events counted are
the distinct ids, the publications all of them, a pending event may go out from both).
"""

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))

from alerts_sweep import TODAY, generate  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from deploy.local.stack import LocalStack  # noqa: E402
from services.alerts.domain.rules import RulesBook  # noqa: E402
from services.alerts.storage.inputs import Inputs  # noqa: E402
from services.alerts.storage.repository import AlertStore  # noqa: E402
from services.alerts.usecases.evaluate import AlertsService  # noqa: E402

DATABASE = "bench_alerts_sweep"


async def write_inputs(database, measures: dict, rows: list[dict]) -> None:
    """The measures and assignments as alerts' consumers store them (storage/inputs.py), written in bulk."""
    inputs = Inputs(database)
    await inputs.measure_documents.insert_many([{"_id": key, **doc} for key, doc in measures.items()])
    assignments = [{"_id": f"{row['measure_id']}|{row['unit']}|{n}", **row, "revision": 1}
                   for n, row in enumerate(rows)]
    for start in range(0, len(assignments), 10_000):
        await inputs.assignment_documents.insert_many(assignments[start:start + 10_000])
    await inputs.ensure_indexes()


async def run(url: str, assignments: int, measures: int) -> None:
    client = AsyncMongoClient(url, tz_aware=True)
    await client.drop_database(DATABASE)
    database = client[DATABASE]
    docs, rows = generate(assignments, measures, random.Random(7))
    await write_inputs(database, docs, rows)
    published = []

    async def publish(event, key):
        published.append(event.id)

    store = AlertStore(database)
    await store.ensure_indexes()
    service, other = (AlertsService(Inputs(database), store, RulesBook(), publish) for _ in range(2))
    try:
        for label, day in (("first sweep", TODAY), ("same day again", TODAY), ("next day", TODAY + timedelta(1))):
            published.clear()
            started = time.perf_counter()
            outcome = await service.sweep(day)
            seconds = time.perf_counter() - started
            print(f"{label:15} {seconds:6.1f} s   {outcome.assignments:,} assignments, {outcome.open:,} open, "
                  f"{outcome.raised:,} raised, {outcome.cleared:,} cleared, {outcome.changed:,} changed severity, "
                  f"{len(published):,} published")
        published.clear()
        started = time.perf_counter()
        await asyncio.gather(service.sweep(TODAY + timedelta(2)), other.sweep(TODAY + timedelta(2)))
        seconds = time.perf_counter() - started
        open_now = await database["open_alerts"].count_documents({})
        print(f"{'two at once':15} {seconds:6.1f} s   {open_now:,} open, {len(set(published)):,} events, "
              f"{len(published):,} publications")
    finally:
        await client.drop_database(DATABASE)
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--measures", type=int, default=500)
    parser.add_argument("--mongodb-url")
    args = parser.parse_args()
    stack = None
    if not args.mongodb_url:
        stack = LocalStack(Path(tempfile.mkdtemp(prefix="duban-bench-")), default_ports=False, tie_to_parent=True)
        args.mongodb_url = stack.start_infrastructure().mongodb_url
    try:
        asyncio.run(run(args.mongodb_url, args.assignments, args.measures))
    finally:
        if stack:
            stack.stop()


if __name__ == "__main__":
    main()
