"""Times reporting's read model at 50,000 assignments: a full load, and an incremental refresh after 100 changed
assignments, without alerts and then with 5,000 open alerts and 20,000 closed episodes; then requests answered
from it through the reporting app.

Usage: python bench/reporting_rollup.py [--assignments 50000] [--open-alerts 5000] [--episodes 20000]
                                        [--changed 100] [--runs 100] [--mongodb-url URL]
Without --mongodb-url it starts the local stack's database (SecantusDB) in a temporary directory and stops it
at the end. Data: 1 city, 13 counties and zones, 200 townships, 90 measures (tests/unit/reporting/generated.py),
written by reporting's own use cases from the events that carry them (registry-published, measure-created,
assignment-updated); the alerts as reporting stores their alert-raised and alert-cleared.

What it prints, each as p50 / max over a few runs with the documents each refresh read:
- the full load: what the first refresh of an instance costs (and what every refresh cost before issue 11, when
  the snapshot re-read the tracker's and the alerts' collections whole);
- the incremental refresh after `--changed` assignments changed (a new revision each): it reads the changed
  documents only (plus what changed within the read model's overlap: the bench sets 1 s and waits it out) and
  re-evaluates those assignments only, so it does not grow with the open alerts or closed episodes;
- the requests: answered from the snapshot in hand (a max age of an hour), first request apart.
"""

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

import httpx  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from services.reporting.main import create_app  # noqa: E402
from services.reporting.settings import ReportingSettings  # noqa: E402
from services.reporting.storage.collections import ReportingStore, open_alert_document, stamped, write  # noqa: E402
from services.reporting.storage.read_model import ReadModel  # noqa: E402
from services.reporting.usecases.record import record  # noqa: E402
from shared.contracts import AlertNotice, AssignmentUpdated  # noqa: E402
from tests.unit.reporting.generated import generate_city  # noqa: E402

AS_OF = "2026-11-22"
DATABASE = "bench_reporting"
KINDS = ("overdue", "lagging", "silent", "due_soon")
OVERLAP = timedelta(seconds=1)


def percentiles(label: str, seconds: list[float], note: str = "") -> None:
    ms = sorted(s * 1000 for s in seconds)
    print(f"{label:<52} n={len(ms):<4} p50 {statistics.median(ms):8.1f} ms   max {ms[-1]:8.1f} ms  {note}")


async def write_city(store: ReportingStore, assignments: int):
    city = generate_city(townships=200, measures=90, assignments=assignments)
    started = time.perf_counter()
    events = city.events()
    for i in range(0, len(events), 5_000):
        await record(store, events[i:i + 5_000])
    print(f"wrote {len(city.assignments)} assignments ({len(city.progress)} with a report, each a revision), "
          f"{len(city.measures)} measures, {len(city.registry['regions'])} regions from their events in "
          f"{time.perf_counter() - started:.1f} s")
    return city


async def write_alerts(store: ReportingStore, city, opened: int, closed: int) -> None:
    """`opened` open alerts and `closed` closed episodes on random assignments, as reporting stores their events
    (written in bulk: the use cases apply alert events one by one, in their partition's order)."""
    rng, started = random.Random(11), time.perf_counter()
    open_documents, episodes = [], []
    for number in range(opened + closed):
        assignment = rng.choice(city.assignments)
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=number % 7000)
        notice = AlertNotice(key=f"{KINDS[number % 4]}|{assignment['_id']}|{number}", episode=f"ep{number}",
                             kind=KINDS[number % 4], severity="warning", measure_id=assignment["measure_id"],
                             unit=assignment["unit"], unit_name=assignment["unit_name"],
                             region_code=assignment["region_code"], reason="bench", figures={}, opened_at=at,
                             as_of=AS_OF)
        if number < opened:
            open_documents.append({"_id": notice.key, **stamped(open_alert_document(notice))})
        else:
            episodes.append(stamped({"_id": notice.episode, "key": notice.key, "kind": notice.kind,
                                     "measure_id": notice.measure_id, "unit": notice.unit,
                                     "region_code": notice.region_code, "opened_at": at,
                                     "closed_at": at + timedelta(days=3)}))
    await write(store.open_alerts, "insert", open_documents)
    await write(store.alert_episodes, "insert", episodes)
    print(f"wrote {opened} open alerts and {closed} closed episodes in {time.perf_counter() - started:.1f} s")


async def change(store: ReportingStore, city, count: int, revision: int) -> None:
    """A new revision of `count` random assignments: reported again, now completed."""
    rng, now = random.Random(revision), datetime.now(UTC)
    events = []
    for assignment in rng.sample(city.assignments, count):
        state = {**{k: assignment[k] for k in ("measure_id", "unit", "unit_name", "role", "region_code")},
                 "revision": revision, "status": "completed", "percent_complete": 100, "period": "2026-Q4",
                 "reported_at": now, "completed_at": now, "report_event_id": f"bench-{revision}-{assignment['_id']}",
                 "periods_reported": ["2026-Q4"]}
        events.append(AssignmentUpdated(id=f"{assignment['_id']}#{revision}", source="bench", time=now, data=state))
    await record(store, events)


async def refreshes(store: ReportingStore, city, changed: int, label: str, revision: int) -> int:
    full, incremental, read, split = [], [], [], []
    for _ in range(3):
        model = ReadModel(store, OVERLAP, today=lambda: date.fromisoformat(AS_OF))
        started = time.perf_counter()
        await model.refresh()
        full.append(time.perf_counter() - started)
    documents = model.documents_read
    for _ in range(5):
        await asyncio.sleep(OVERLAP.total_seconds() * 1.5)  # past the overlap: only the changes are read again
        revision += 1
        await change(store, city, changed, revision)
        started = time.perf_counter()
        await model.refresh()
        incremental.append(time.perf_counter() - started)
        read.append(model.documents_read)
        split.append((model.read_seconds, model.apply_seconds))
    percentiles(f"full load ({label})", full, f"{documents} documents read")
    percentiles(f"incremental, {changed} changed ({label})", incremental,
                f"{statistics.median(read):.0f} documents read; reading "
                f"{1000 * statistics.median(r for r, _ in split):.1f} ms, applying "
                f"{1000 * statistics.median(a for _, a in split):.1f} ms")
    return revision


async def requests(url: str, runs: int) -> None:
    settings = ReportingSettings(mongodb_url=url, mongodb_database=DATABASE, snapshot_max_age_seconds=3600,
                                 log_level="WARNING", kafka_bootstrap_servers="127.0.0.1:1")
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://reporting") as http:
        for label, path, params in [
            ("city-wide rollup with children", "/v1/reports/regions/361000", {}),
            ("county rollup with townships", "/v1/reports/regions/361002", {}),
            ("city-wide by measure", "/v1/reports/regions/361000/measures", {}),
            ("city-wide ranking of units", "/v1/reports/regions/361000/ranking", {"of": "units"}),
            ("city-wide alert list (worst 100)", "/v1/reports/regions/361000/alerts", {}),
            ("city-wide monthly series, 12 month ends", "/v1/reports/regions/361000/history", {}),
        ]:
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                response = await http.get(path, params=params)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            percentiles(label, timings[1:], f"(first: {1000 * timings[0]:.0f} ms)")


async def fresh_city(url: str, assignments: int):
    """(client, store, city): the bench database emptied and indexed, a generated city of `assignments` in it."""
    client = AsyncMongoClient(url, tz_aware=True)
    await client.drop_database(DATABASE)
    store = ReportingStore(client[DATABASE])
    await store.ensure_indexes()
    return client, store, await write_city(store, assignments)


async def bench(url: str, args: argparse.Namespace) -> None:
    client, store, city = await fresh_city(url, args.assignments)
    revision = await refreshes(store, city, args.changed, "no alerts", 1)
    await write_alerts(store, city, args.open_alerts, args.episodes)
    await refreshes(store, city, args.changed, f"{args.open_alerts} open, {args.episodes} closed", revision)
    await client.close()
    await requests(url, args.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=50_000)
    parser.add_argument("--open-alerts", type=int, default=5_000)
    parser.add_argument("--episodes", type=int, default=20_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--mongodb-url", help="an existing server (default: start the local stack's database)")
    run_on_a_database(bench, parser.parse_args())


def run_on_a_database(bench, args: argparse.Namespace) -> None:
    """`bench(url, args)` on `args.mongodb_url`, or on the local stack's database started in a temporary directory
    and stopped at the end."""
    if args.mongodb_url:
        asyncio.run(bench(args.mongodb_url, args))
        return
    from deploy.local.install import install
    from deploy.local.stack import LocalStack

    with tempfile.TemporaryDirectory() as directory:
        stack = LocalStack(Path(directory), default_ports=False, tie_to_parent=True)
        try:
            url = stack.start_database(install())
            print(f"database: SecantusDB at {url}")
            asyncio.run(bench(url, args))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
