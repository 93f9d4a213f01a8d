"""The pipeline's speed beside its infrastructure's: raw ceilings and the tracker's versioned write.

Usage: python bench/pipeline.py [--mongodb-url URL --kafka BOOTSTRAP]
Without them it starts the local stack's Kafka and SecantusDB in a temporary directory and stops them at the end.
Prints one table:
- raw ceilings: aiokafka produce and consume (messages/s), PyMongo async bulk upserts by _id (documents/s);
- the tracker's versioned write (services/tracker/storage/writes.py): 200 current-report upserts against a
  collection of 1,000 and of 50,000 stored reports; a cost that grows with the collection means a scan.
"""

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from deploy.local.stack import LocalStack  # noqa: E402
from services.tracker.domain.versions import Version  # noqa: E402
from services.tracker.storage.writes import VERSION_KEY, versioned_upsert, write_versions  # noqa: E402

START = datetime(2026, 10, 1, tzinfo=UTC)
MESSAGES, UPSERTS, WRITES = 20_000, 5_000, 200
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
    upserts = [versioned_upsert(document["_id"], {"percent_complete": 90.0},
                                Version(document["reported_at"] + timedelta(days=1), document["event_id"]))
               for document in newer]
    began = time.perf_counter()
    await write_versions(collection, upserts)
    elapsed = time.perf_counter() - began
    assert await collection.count_documents({"percent_complete": 90.0}) == WRITES
    return elapsed


async def run(mongodb_url: str, bootstrap: str) -> None:
    client = AsyncMongoClient(mongodb_url, tz_aware=True)
    database = client[f"bench_pipeline_{uuid.uuid4().hex[:6]}"]
    try:
        rows = []
        produced, consumed = await kafka_ceilings(bootstrap)
        rows += [("aiokafka produce (ceiling)", f"{produced:,.0f} msg/s"),
                 ("aiokafka consume (ceiling)", f"{consumed:,.0f} msg/s")]
        upserts = await bulk_upsert_ceiling(database)
        rows.append(("PyMongo bulk upserts by _id (ceiling)", f"{upserts:,.0f} doc/s"))
        for size in SIZES:
            seconds = await versioned_write_seconds(database, size)
            rows.append((f"tracker versioned write, {WRITES} over {size:,} stored", f"{seconds:.3f} s"))
        slowest = min(produced, consumed, upserts)
        rows.append(("slowest raw ceiling", f"{slowest:,.0f} /s"))
        width = max(len(name) for name, _ in rows)
        print(f"{'measure':<{width}}  figure")
        for name, figure in rows:
            print(f"{name:<{width}}  {figure}")
    finally:
        await client.drop_database(database.name)
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mongodb-url")
    parser.add_argument("--kafka", help="bootstrap servers")
    args = parser.parse_args()
    stack = None
    if not (args.mongodb_url and args.kafka):
        stack = LocalStack(Path(tempfile.mkdtemp(prefix="duban-bench-")), default_ports=False, tie_to_parent=True)
        endpoints = stack.start_infrastructure()
        args.mongodb_url, args.kafka = endpoints.mongodb_url, endpoints.kafka_bootstrap_servers
    try:
        asyncio.run(run(args.mongodb_url, args.kafka))
    finally:
        if stack:
            stack.stop()


if __name__ == "__main__":
    main()
