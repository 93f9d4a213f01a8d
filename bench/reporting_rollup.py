"""Times the city-wide rollup over 50,000 assignments read from a real database, through the reporting app.

Usage: python bench/reporting_rollup.py [--assignments 50000] [--runs 200] [--mongodb-url URL]
Without --mongodb-url it starts the local stack's database (SecantusDB) in a temporary directory and stops it
at the end. Data: 1 city, 13 counties and zones, 200 townships, 90 measures (tests/unit/reporting/generated.py),
and the alerts the alerts service's rules raise on it, stored by its own AlertStore (the snapshot reads them).
Prints the write time, the read of the tracker's state (what a snapshot refresh costs), the first evaluation,
and p50 / p95 / max of requests answered from the snapshot (storage.py), in process over httpx's ASGITransport
(each line's first request, which computes what later ones reuse, is shown apart).
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

import httpx  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from services.alerts.domain.alerts import Alert  # noqa: E402
from services.alerts.storage.repository import AlertStore  # noqa: E402
from services.reporting.main import create_app  # noqa: E402
from services.reporting.settings import ReportingSettings  # noqa: E402
from services.reporting.storage import read_snapshot  # noqa: E402
from shared.calendar import CHINA  # noqa: E402
from tests.unit.reporting.generated import generate_city  # noqa: E402

AS_OF = "2026-11-22"
DATABASE = "bench_reporting"


async def write(url: str, assignments: int) -> None:
    city = generate_city(townships=200, measures=90, assignments=assignments)
    client = AsyncMongoClient(url, tz_aware=True)
    await client.drop_database(DATABASE)
    database = client[DATABASE]
    started = time.perf_counter()
    await database["registry"].insert_one({"_id": "current", "registry": city.registry})
    await database["measures"].insert_many(city.measures)
    reports = [{**p, "_id": f"e-{p['_id']}"} for p in city.progress]  # the history: each current report
    for name, documents in (("assignments", city.assignments), ("assignment_progress", city.progress),
                            ("progress_reports", reports)):
        for i in range(0, len(documents), 5_000):
            await database[name].insert_many(documents[i:i + 5_000], ordered=False)
    print(f"wrote {len(city.assignments)} assignments, {len(city.progress)} progress documents, "
          f"{len(city.measures)} measures, {len(city.registry['regions'])} regions in "
          f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    alerts = [Alert.from_json(data) for data in city.open_alerts(date.fromisoformat(AS_OF))]
    store, opened = AlertStore(database), datetime.combine(date.fromisoformat(AS_OF), dtime(9), CHINA)
    for i in range(0, len(alerts), 5_000):
        await store.raise_alerts([(alert, f"bench-{alert.key}", {}) for alert in alerts[i:i + 5_000]], opened)
    print(f"wrote {len(alerts)} open alerts in {time.perf_counter() - started:.1f} s")
    await client.close()


def percentiles(label: str, seconds: list[float], first: float | None = None) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    print(f"{label:<44} n={len(ms):<4} p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   "
          f"max {ms[-1]:7.1f} ms" + ("" if first is None else f"   (first, computed: {1000 * first:.1f} ms)"))


async def measure(url: str, runs: int) -> None:
    client = AsyncMongoClient(url, tz_aware=True)
    reads = []
    for _ in range(3):
        started = time.perf_counter()
        snapshot = await read_snapshot(client[DATABASE])
        reads.append(time.perf_counter() - started)
    percentiles("read the state (a snapshot refresh)", reads)
    evaluations = []
    for as_of in ("2026-11-20", "2026-11-21", "2026-11-22"):
        started = time.perf_counter()
        snapshot.region_report("361000", date.fromisoformat(as_of))
        evaluations.append(time.perf_counter() - started)
    percentiles("first rollup of a snapshot (evaluation)", evaluations)
    await client.close()

    settings = ReportingSettings(mongodb_url=url, mongodb_database=DATABASE, snapshot_max_age_seconds=3600,
                                 log_level="WARNING")
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://reporting") as http:
        started = time.perf_counter()
        first = (await http.get("/v1/reports/regions/361000", params={"as_of": AS_OF})).json()
        print(f"{'first request (read + evaluate + answer)':<44} {1000 * (time.perf_counter() - started):.0f} ms; "
              f"{first['assignments']} assignments, {first['lagging']} lagging, {first['silent']} silent, "
              f"{len(first['children'])} children")
        for label, path, params in [
            ("city-wide rollup with children", "/v1/reports/regions/361000", {}),
            ("county rollup with townships", "/v1/reports/regions/361002", {}),
            ("ranking of counties", "/v1/reports/regions/361000/ranking", {}),
            ("city-wide by measure", "/v1/reports/regions/361000/measures", {}),
            ("city-wide ranking of units", "/v1/reports/regions/361000/ranking", {"of": "units"}),
            ("city-wide alert list (worst 100)", "/v1/reports/regions/361000/alerts", {}),
            ("city-wide monthly series, 12 month ends", "/v1/reports/regions/361000/history", {}),
            ("county monthly series, 12 month ends", "/v1/reports/regions/361002/history", {}),
        ]:
            timings = []
            for _ in range(runs if "rollup" in label else max(10, runs // 10)):
                started = time.perf_counter()
                response = await http.get(path, params={"as_of": AS_OF, **params})
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            # Breakdowns and rankings are kept per snapshot: the first request computes, the others read it.
            percentiles(label, timings[1:], timings[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--mongodb-url", help="an existing server (default: start the local stack's database)")
    args = parser.parse_args()
    if args.mongodb_url:
        asyncio.run(write(args.mongodb_url, args.assignments))
        asyncio.run(measure(args.mongodb_url, args.runs))
        return
    from deploy.local.install import install
    from deploy.local.stack import LocalStack

    with tempfile.TemporaryDirectory() as directory:
        stack = LocalStack(Path(directory), default_ports=False, tie_to_parent=True)
        try:
            url = stack.start_database(install())
            print(f"database: SecantusDB at {url}")
            asyncio.run(write(url, args.assignments))
            asyncio.run(measure(url, args.runs))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
