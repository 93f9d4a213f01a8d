"""The pipeline's speed beside its infrastructure's, measured in one run on one machine.

Usage: python bench/pipeline.py
Starts the local stack (Kafka, SecantusDB, the four services) in a temporary directory, loads the demo city
through intake, and stops everything at the end. Prints one table:
- raw ceilings: aiokafka produce and consume (messages/s), PyMongo async bulk upserts by _id (documents/s);
- the present design's floor (write_floor): reports per second if a report cost the server only the five writes
  the services' storage makes for it at least, in their own collections and indexes; and an insert-only design's
  floor (bench/database_writes.py: insert_only_floor, alerts' inputs in memory), the services one after another
  and at once: what no redesign of the storage on this server passes;
- the tracker's versioned write (services/tracker/storage/writes.py): 200 current-report upserts against a
  collection of 1,000 and of 50,000 stored reports; a cost that grows with the collection means a scan;
- end to end, until every report is in the tracker's history (progress_reports, written in the same step as the
  current state): through intake's single route, its batch route, and straight onto Kafka (reports/s), each with
  its ratio to the slowest raw ceiling;
- latency from intake's 202 to the report in the tracker's state: at a steady 200 reports/s through the single
  route, and at 1,000 reports/s through the batch route (a batch of 100 every 0.1 s): p50, p95, p99, and the
  rate the tracker kept up with (reports made visible per second over the run);
- the database server's time per report during the Kafka-direct flow (its `top` command), per service and in the
  busiest collections: the services wait on one server, and its time per report bounds the pipeline;
- the CPU each process of the stack used during the Kafka-direct flow, as a share of one core (psutil): where the
  database server's share is at or above one core while the services idle, the server is the ceiling;
- the goals' ratios: Kafka-direct against half the slowest ceiling, the batch route against a third.
Alerts and reporting run throughout (they consume the tracker's assignment-updated events into their own
collections on the same database server), as in production.
"""

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

import httpx  # noqa: E402
import psutil  # noqa: E402
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402
from pymongo import AsyncMongoClient, UpdateOne  # noqa: E402

from bench.database_writes import BATCH, REPORTS, insert_only_floor, report, revision, state  # noqa: E402
from deploy.demo.load import ALERT_RULES, city_assignments, load_demo  # noqa: E402
from deploy.local.stack import LocalStack  # noqa: E402
from services.alerts.storage.inputs import Inputs  # noqa: E402
from services.reporting.storage.collections import ReportingStore  # noqa: E402
from services.tracker.domain.versions import Version  # noqa: E402
from services.tracker.settings import TrackerSettings  # noqa: E402
from services.tracker.storage.repository import TrackerRepository  # noqa: E402
from services.tracker.storage.states import AssignmentStates  # noqa: E402
from services.tracker.storage.writes import VERSION_KEY, write_newest  # noqa: E402
from shared.contracts import ProgressReport, ProgressReported, Topics  # noqa: E402
from shared.database import IN_CHUNK, find_in  # noqa: E402
from shared.domain.calendar import CHINA  # noqa: E402
from shared.kafka.broker import CLOUDEVENTS_JSON  # noqa: E402

START = datetime(2026, 10, 1, tzinfo=UTC)
MESSAGES, UPSERTS, WRITES = 20_000, 5_000, 200
TIMED = 300  # reports timed per latency run (a sample: every report looked up would load the server measured)
SIZES = (1_000, 50_000)
PAYLOAD = b'{"specversion":"1.0","type":"progress-reported","data":{"percent_complete":80}}' + b" " * 300


def stored_report(n: int) -> dict:
    version = Version(START + timedelta(seconds=n), f"e{n:06d}")
    return {"_id": f"m{n % 500:03d}|unit-{n:06d}", "measure_id": f"m{n % 500:03d}", "percent_complete": 50.0,
            "reported_at": version.at, "event_id": version.event_id, VERSION_KEY: version.key}


async def kafka_ceilings(bootstrap: str) -> tuple[float, float]:
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=256 * 1024)
    await producer.start()
    try:
        await (await producer.send(topic, b"warm-up"))
        began = time.perf_counter()
        sent = [await producer.send(topic, PAYLOAD, key=str(n % 64).encode()) for n in range(MESSAGES)]
        await asyncio.gather(*sent)
        produced = MESSAGES / (time.perf_counter() - began)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=None, max_partition_fetch_bytes=8 * 1024 * 1024)
    await consumer.start()
    try:
        received, began = 0, time.perf_counter()
        while received < MESSAGES + 1:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            received += sum(len(records) for records in batches.values())
        consumed = received / (time.perf_counter() - began)
    finally:
        await consumer.stop()
    return produced, consumed


async def bulk_upsert_ceiling(database) -> float:
    collection = database["bulk_ceiling"]
    updates = [{"q": {"_id": f"k{n}"}, "u": {"$set": {"n": n, "at": START}}, "upsert": True} for n in range(UPSERTS)]
    began = time.perf_counter()
    for start in range(0, UPSERTS, 1000):
        await database.command({"update": collection.name, "updates": updates[start:start + 1000], "ordered": False})
    return UPSERTS / (time.perf_counter() - began)


async def versioned_write_seconds(database, size: int) -> float:
    """200 newer reports upserted over `size` stored ones (half replacing stored keys, half new keys)."""
    collection = database[f"current_{size}"]
    await collection.drop()
    for start in range(0, size, 5000):
        await collection.insert_many([stored_report(n) for n in range(start, min(size, start + 5000))])
    newer = [stored_report(n) for n in range(0, size, size // (WRITES // 2))][:WRITES // 2]
    newer += [stored_report(size + n) for n in range(WRITES // 2)]
    writes = {document["_id"]: ({"percent_complete": 90.0},
                                Version(document["reported_at"] + timedelta(days=1), document["event_id"]))
              for document in newer}
    began = time.perf_counter()
    await write_newest(collection, writes)
    elapsed = time.perf_counter() - began
    assert await collection.count_documents({"percent_complete": 90.0}) == WRITES
    return elapsed


async def write_floor(database, assignments: list, pid: int) -> tuple[float, float]:
    """The present design's floor on this server: reports per second, and the server's CPU milliseconds per
    report, if a report cost only the five writes the services' storage makes for it at least, in their own
    collections with their own indexes (each store creates them here): the tracker's history insert and its
    state's update conditional on the revision (two trackers), alerts' and reporting's copies of the state (kept
    at the highest revision) and reporting's revision insert. No outbox, no current reports by period, no alerts
    judged, no figures, no reads: the pipeline as designed cannot pass this on this server. Three of the five are
    updates of stored documents, which cost SecantusDB 3-10 times an insert (bench/database_writes.py): a design
    that only inserted would have a lower floor. Every assignment is stored first (a steady city: its reports
    update, they do not insert); a batch is one command per collection, and the commands go one after another,
    the server's best case (the three services writing at once, as in the flow, cost SecantusDB about twice the
    CPU: measured 105 against 216 reports/s). `pid`: the database server's process."""
    tracker, states = TrackerRepository(database), AssignmentStates(database)
    alerts, reporting = Inputs(database), ReportingStore(database)
    for store in (tracker, states, alerts, reporting):
        await store.ensure_indexes()
    copies = (states.collection, alerts.assignment_documents, reporting.assignments)

    for collection in copies:
        await collection.insert_many([{"_id": f"{a.measure_id}|{a.unit}", **state(a, 1, 0)} for a in assignments])
    reports = [(assignments[n % len(assignments)], n) for n in range(REPORTS)]

    async def tracker_writes(batch: list[tuple]) -> None:
        await tracker.progress_reports.insert_many([{**report(a, 0, n), "_id": f"e{n}"} for a, n in batch],
                                                   ordered=False)
        await states.collection.bulk_write([UpdateOne(
            {"_id": f"{a.measure_id}|{a.unit}", "revision": revision(assignments, n) - 1},
            {"$set": state(a, revision(assignments, n), n)}) for a, n in batch], ordered=False)

    async def copy(collection, batch: list[tuple]) -> None:
        await collection.bulk_write([UpdateOne(
            {"_id": f"{a.measure_id}|{a.unit}", "revision": {"$lt": revision(assignments, n)}},
            {"$set": state(a, revision(assignments, n), n)}, upsert=True) for a, n in batch], ordered=False)

    async def reporting_writes(batch: list[tuple]) -> None:
        await copy(reporting.assignments, batch)
        await reporting.revisions.insert_many(
            [{**state(a, revision(assignments, n), n), "_id": f"e{n}"} for a, n in batch], ordered=False)

    server, began = psutil.Process(pid), time.perf_counter()
    cpu_before = sum(server.cpu_times()[:2])
    for start in range(0, REPORTS, BATCH):
        batch = reports[start:start + BATCH]
        await tracker_writes(batch)
        await copy(alerts.assignment_documents, batch)
        await reporting_writes(batch)
    seconds, cpu = time.perf_counter() - began, sum(server.cpu_times()[:2]) - cpu_before
    assert await states.collection.count_documents({"revision": {"$gt": 1}}) == min(REPORTS, len(assignments))
    return REPORTS / seconds, cpu * 1000 / REPORTS


def bench_reports(assignments: list, first: int, count: int) -> list[dict]:
    """`count` reports on the demo's assignments, each a different (assignment, month, time) from report `first`
    on, all inside the reporting window: distinct events the tracker must all keep."""
    combos = [(a, month) for month in range(1, 12) for a in assignments]
    reports = []
    for n in range(first, first + count):
        assignment, month = combos[n % len(combos)]
        at = datetime(2026, month, 28, 10, tzinfo=CHINA) + timedelta(seconds=n // len(combos))
        reports.append({"measure_id": assignment.measure_id, "unit": assignment.unit,
                        "region_code": assignment.region_code, "period": f"2026-{month:02d}",
                        "percent_complete": 50 + n % 50, "status": "in_progress", "reported_at": at.isoformat()})
    return reports


async def visible_by_chunk(history, event_ids: list[str]) -> AsyncIterator[tuple[list[str], set[str]]]:
    """Each chunk of these event ids (IN_CHUNK, in the order given) with those of it in the tracker's history now,
    looked up by `_id`. The bench's reads load the very server measured: one `$in` of 1,000 ids cost SecantusDB
    1.1 s (shared/database.find_in), and a count of the collection would scan it."""
    for start in range(0, len(event_ids), IN_CHUNK):
        chunk = event_ids[start:start + IN_CHUNK]
        yield chunk, {d["_id"] async for d in find_in(history, "_id", chunk, projection={"_id": 1})}


async def newly_visible(history, waiting: list[str]) -> set[str]:
    """The event ids among `waiting` (oldest sent first) in the tracker's history now: from the oldest, going on
    while a whole chunk is found."""
    found: set[str] = set()
    async for chunk, seen in visible_by_chunk(history, waiting):
        found |= seen
        if len(seen) < len(chunk):
            break
    return found


async def until_visible(history, event_ids: list[str], timeout: float = 300) -> None:
    """Waits until every one of these event ids is in the tracker's history. Raises TimeoutError."""
    waiting, deadline = list(event_ids), time.monotonic() + timeout
    while waiting:
        found = await newly_visible(history, waiting)
        waiting = [event_id for event_id in waiting if event_id not in found]
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(waiting)} of {len(event_ids)} reports not in the tracker's history")
        if waiting:
            await asyncio.sleep(0.1)


async def through_single_route(intake: httpx.AsyncClient, reports: list[dict], concurrency: int = 32) -> list[str]:
    queue, event_ids = list(reversed(reports)), []

    async def worker() -> None:
        while queue:
            answer = await intake.post("/v1/progress", json=queue.pop())
            event_ids.append(answer.raise_for_status().json()["event_id"])

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return event_ids


async def through_batch_route(intake: httpx.AsyncClient, reports: list[dict], size: int = 500) -> list[str]:
    event_ids = []
    for start in range(0, len(reports), size):
        answer = (await intake.post("/v1/progress:batch", json={"reports": reports[start:start + size]})
                  ).raise_for_status().json()
        assert answer["refused"] == 0, answer
        event_ids += [item["event_id"] for item in answer["items"]]
    return event_ids


async def onto_kafka(bootstrap: str, reports: list[dict]) -> list[str]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        sent, event_ids = [], []
        for raw in reports:
            report = ProgressReport.model_validate(raw)
            event = ProgressReported.wrap(report, source="/bench", subject=report.period_key)
            event_ids.append(event.id)
            sent.append(await producer.send(Topics().progress_reported, event.model_dump_json().encode(),
                                            key=report.assignment_key.encode(),
                                            headers=[("content-type", CLOUDEVENTS_JSON.encode())]))
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return event_ids


async def end_to_end(history, send, count: int) -> float:
    """Reports per second from the first sent until the last is in the tracker's history (`send()` returns the
    event ids sent)."""
    began = time.perf_counter()
    await until_visible(history, await send())
    return count / (time.perf_counter() - began)


async def latencies(history, reports: list[dict], rate: float, send) -> tuple[list[float], float, int]:
    """Seconds from each timed report's 202 to its event id in the tracker's history, sending at a steady `rate`
    in groups (`send(group)` posts them and returns the event ids of those intake answered 202); the reports made
    visible per second from the first sent to the last timed one visible; and how many intake did not accept (a
    503: Kafka did not confirm them in time). Every report is sent, every `stride`-th accepted one (the last
    included) is timed, about TIMED in all: each poll looks every pending timed one up, oldest first, and stamps
    each chunk as it comes (the partitions are applied at different lags, so a later report may be visible before
    an older one), while the polling's load on the measured server stays bounded."""
    stride = max(1, len(reports) // TIMED)
    accepted: dict[str, float] = {}
    timed: dict[str, float] = {}
    visible: dict[str, float] = {}
    refused = 0

    async def post(group: list[dict], first: int) -> None:
        nonlocal refused
        event_ids = await send(group)
        now = time.perf_counter()
        accepted.update((event_id, now) for event_id in event_ids)
        timed.update((event_id, now) for n, event_id in enumerate(event_ids, start=first)
                     if n % stride == 0 or n == len(reports) - 1)
        refused += len(group) - len(event_ids)

    async def watch(done: asyncio.Event) -> None:
        while not done.is_set() or len(visible) < len(timed):
            async for _, found in visible_by_chunk(history, [e for e in timed if e not in visible]):
                now = time.perf_counter()
                visible.update((event_id, now) for event_id in found)
            await asyncio.sleep(0.05)

    size = max(1, round(rate / 10)) if rate > 200 else 1  # above 200/s, one batch every 0.1 s
    groups = [reports[start:start + size] for start in range(0, len(reports), size)]
    done = asyncio.Event()
    watcher = asyncio.create_task(watch(done))
    began, posts = time.perf_counter(), []
    for n, group in enumerate(groups):
        await asyncio.sleep(max(0.0, began + n * size / rate - time.perf_counter()))
        posts.append(asyncio.create_task(post(group, n * size)))
    await asyncio.gather(*posts)
    done.set()
    await asyncio.wait_for(watcher, timeout=600)
    kept_up = len(accepted) / (max(visible.values()) - began)
    return sorted(visible[event_id] - timed[event_id] for event_id in timed), kept_up, refused


async def posted_singly(intake: httpx.AsyncClient, group: list[dict]) -> list[str]:
    answers = [await intake.post("/v1/progress", json=report) for report in group]
    # A 503 (Kafka did not confirm the report in time) is counted, not waited for; any other failure stops.
    return [answer.raise_for_status().json()["event_id"] for answer in answers if answer.status_code != 503]


async def posted_in_batch(intake: httpx.AsyncClient, group: list[dict]) -> list[str]:
    answer = (await intake.post("/v1/progress:batch", json={"reports": group})).raise_for_status().json()
    assert all(item["status"] in (202, 503) for item in answer["items"]), answer
    return [item["event_id"] for item in answer["items"] if item["status"] == 202]



async def database_time(client: AsyncMongoClient) -> dict[str, float]:
    """Milliseconds the database server spent on each namespace so far (the `top` command, microseconds)."""
    totals = (await client.admin.command("top"))["totals"]
    return {namespace: times["total"]["time"] / 1000 for namespace, times in totals.items() if isinstance(times, dict)}


def database_rows(before: dict[str, float], after: dict[str, float], reports: int) -> list[tuple[str, str]]:
    """The database server's time per report over a flow, per service (its database) and in the busiest
    collections: what bounds the pipeline where the server itself is the ceiling."""
    spent = {namespace: after[namespace] - before.get(namespace, 0.0) for namespace in after}
    spent = {namespace: ms for namespace, ms in spent.items() if namespace.startswith("duban_") and ms > 0}
    services: dict[str, float] = {}
    for namespace, ms in spent.items():
        service = namespace.split(".")[0].removeprefix("duban_")
        services[service] = services.get(service, 0.0) + ms
    busiest = sorted(spent.items(), key=lambda item: -item[1])[:6]
    return [("  database time per report, by service", f"{sum(services.values()) / reports:.1f} ms: " + ", ".join(
                f"{service} {ms / reports:.1f}" for service, ms in sorted(services.items(), key=lambda i: -i[1]))),
            ("  ... in its busiest collections", ", ".join(
                f"{namespace.removeprefix('duban_')} {ms / reports:.2f}" for namespace, ms in busiest))]


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user and system) each named process of the stack has used so far."""
    used = {}
    for name, pid in pids.items():
        with contextlib.suppress(psutil.NoSuchProcess):  # a service that died: the flow's own error says so
            times = psutil.Process(pid).cpu_times()
            used[name] = times.user + times.system
    return used


def cpu_row(before: dict[str, float], after: dict[str, float], seconds: float) -> tuple[str, str]:
    shares = sorted(((name, (after[name] - before[name]) / seconds) for name in after.keys() & before.keys()),
                    key=lambda item: -item[1])
    return ("  CPU per process, share of one core", ", ".join(f"{name} {share:.0%}" for name, share in shares))


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))]


async def run(mongodb_url: str, bootstrap: str, intake_url: str, assignments: list, sizes: dict[str, int],
              pids: dict[str, int]) -> None:
    client = AsyncMongoClient(mongodb_url, tz_aware=True)
    database = client[f"bench_pipeline_{uuid.uuid4().hex[:6]}"]
    history = client[TrackerSettings().mongodb_database]["progress_reports"]  # the tracker's: what is visible
    rows: list[tuple[str, str]] = []
    try:
        produced, consumed = await kafka_ceilings(bootstrap)
        upserts = await bulk_upsert_ceiling(database)
        slowest = min(produced, consumed, upserts)
        rows += [("aiokafka produce (ceiling)", f"{produced:,.0f} msg/s"),
                 ("aiokafka consume (ceiling)", f"{consumed:,.0f} msg/s"),
                 ("PyMongo bulk upserts by _id (ceiling)", f"{upserts:,.0f} doc/s"),
                 ("slowest raw ceiling", f"{slowest:,.0f} /s")]
        floor, floor_cpu = await write_floor(database, assignments, pids["database"])
        rows.append(("floor: the writes the design makes per report at least, raw",
                     f"{floor:,.0f} reports/s = {floor / slowest:.1%} of the slowest ceiling; the server's CPU "
                     f"{floor_cpu:.2f} ms per report"))
        # Alerts' inputs in memory: the least any design that keeps a document per report in the tracker and in
        # reporting costs. Two after another is the server's best case; the services write at once in the flow.
        apart, at_once = [await insert_only_floor(database, assignments, alerts_keep_a_copy=False, at_once=together)
                          for together in (False, True)]
        rows.append(("floor of an insert-only design, raw: services one after another / at once",
                     f"{apart:,.0f} / {at_once:,.0f} reports/s = {apart / slowest:.1%} / {at_once / slowest:.1%} "
                     "of the slowest ceiling"))
        for size in SIZES:
            seconds = await versioned_write_seconds(database, size)
            rows.append((f"tracker versioned write, {WRITES} over {size:,} stored", f"{seconds:.3f} s"))
        first = 0

        def next_reports(count: int) -> list[dict]:
            nonlocal first
            first += count
            return bench_reports(assignments, first - count, count)

        # Idle connections are let go before uvicorn's keep-alive (5 s) closes them under a request.
        async with httpx.AsyncClient(base_url=intake_url, timeout=300, limits=httpx.Limits(
                max_connections=64, keepalive_expiry=2)) as intake:
            flows = {
                "single": lambda reports: through_single_route(intake, reports),
                "batch": lambda reports: through_batch_route(intake, reports),
                "kafka": lambda reports: onto_kafka(bootstrap, reports),
            }
            names = {"single": "intake POST /v1/progress", "batch": "intake POST /v1/progress:batch",
                     "kafka": "straight onto Kafka"}
            rates = {}
            for flow, send in flows.items():
                reports = next_reports(sizes[flow])
                before, cpu_before, began = await database_time(client), cpu_seconds(pids), time.perf_counter()
                rates[flow] = await end_to_end(history, lambda send=send, reports=reports: send(reports),
                                               len(reports))
                cpu_row_of_flow = cpu_row(cpu_before, cpu_seconds(pids), time.perf_counter() - began)
                rows.append((f"end to end, {names[flow]} ({len(reports):,})",
                             f"{rates[flow]:,.0f} reports/s = {rates[flow] / slowest:.1%} of the slowest ceiling"))
                if flow == "kafka":
                    rows += [*database_rows(before, await database_time(client), len(reports)), cpu_row_of_flow]
            for rate, route, send in ((200, "single route", partial(posted_singly, intake)),
                                      (1000, "batch route, 100 every 0.1 s", partial(posted_in_batch, intake))):
                waits, kept_up, refused = await latencies(history, next_reports(rate * sizes["latency_seconds"]),
                                                          rate, send)
                rows.append((f"202 -> visible at {rate:,}/s, {route} ({len(waits):,} timed): p50 / p95 / p99",
                             " / ".join(f"{percentile(waits, share) * 1000:,.0f} ms" for share in (0.5, 0.95, 0.99))
                             + f" (visible at {kept_up:,.0f}/s; {refused:,} answered 503)"))
        floors = f"the floor {floor:,.0f}, insert-only {apart:,.0f} / {at_once:,.0f}"
        rows += [("goal: Kafka-direct >= 1/2 of the slowest ceiling", f"{rates['kafka'] / slowest:.1%} of it "
                  f"(goal {slowest / 2:,.0f} reports/s; {floors})"),
                 ("goal: HTTP batch >= 1/3 of the slowest ceiling", f"{rates['batch'] / slowest:.1%} of it "
                  f"(goal {slowest / 3:,.0f} reports/s; {floors})")]
    finally:
        await client.drop_database(database.name)
        await client.close()
        width = max((len(name) for name, _ in rows), default=0)
        print(f"\n{'measure':<{width}}  figure")
        for name, figure in rows:
            print(f"{name:<{width}}  {figure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=400, help="reports through the single route (default 400)")
    parser.add_argument("--batch", type=int, default=3000, help="reports through the batch route (default 3000)")
    parser.add_argument("--kafka", type=int, default=3000, help="reports straight onto Kafka (default 3000)")
    parser.add_argument("--latency-seconds", type=int, default=4,
                        help="seconds sent at each steady rate, 200/s and 1,000/s (default 4)")
    args = parser.parse_args()
    stack = LocalStack(Path(tempfile.mkdtemp(prefix="duban-bench-")), default_ports=False, tie_to_parent=True)
    try:
        endpoints = stack.start_infrastructure()
        # No per-client rate limit: the bench is one client sending as fast as the pipeline takes.
        urls = stack.start_services(endpoints, alert_rules_file=str(ALERT_RULES), rate_limit="")
        load_demo(urls["intake"], urls["tracker"])
        assignments = city_assignments()
        sizes = {"single": args.single, "batch": args.batch, "kafka": args.kafka,
                 "latency_seconds": args.latency_seconds}
        pids = {name: process.pid for name, process in stack.processes().items()}
        asyncio.run(run(endpoints.mongodb_url, endpoints.kafka_bootstrap_servers, urls["intake"], assignments, sizes,
                        pids))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
