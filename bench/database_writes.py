"""What one write of each kind the services make costs the database server, per document.

Usage: python bench/database_writes.py [mongodb-url]
Without a URL, starts SecantusDB alone (deploy/local/stack.py) in a temporary directory and stops it at the end.
Each kind writes 2,000 documents on the demo city's 977 assignments, in batches of 250 (as the consumers take
them under load), one command per batch, one after another, into a collection of its own, and prints milliseconds
per document:
- updates of stored documents by `_id`: a small one, an assignment's state (AssignmentState as the services keep
  it), the same with the revision in the filter (what keeps two writers safe), and with one to three secondary
  indexes (the services keep one to three on their copies);
- inserts: a report without and with the tracker history's index, and a state with reporting's revisions' three;
- the ceiling `bench/pipeline.py` compares with: new documents upserted by `_id`, no secondary index.
deploy/README.md (SecantusDB's costs) quotes these figures.
"""

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from pymongo import AsyncMongoClient, UpdateOne  # noqa: E402

from deploy.demo.load import city_assignments  # noqa: E402
from deploy.local.install import install  # noqa: E402
from deploy.local.stack import LocalStack  # noqa: E402
from shared.contracts import AssignmentState  # noqa: E402

DOCUMENTS, BATCH = 2_000, 250
START = datetime(2026, 11, 1, tzinfo=UTC)
HISTORY_INDEX = [("measure_id", 1), ("unit", 1), ("period", 1)]
REVISION_INDEXES = ["updated_at", [("measure_id", 1), ("reported_at", 1)], "reported_at"]
COPY_INDEXES = ["measure_id", "updated_at", [("measure_id", 1), ("unit", 1)]]


def state(assignment, revision: int, n: int) -> dict:
    """An assignment's state at `revision` carrying report `n` (event id `e<n>`), as the services keep one."""
    return {**AssignmentState(
        measure_id=assignment.measure_id, unit=assignment.unit, unit_name=assignment.unit_name, role=assignment.role,
        region_code=assignment.region_code, revision=revision, percent_complete=n % 100, period="2026-11",
        reported_at=START + timedelta(seconds=n), report_event_id=f"e{n}",
        periods_reported=["2026-10", "2026-11"]).model_dump(mode="python"), "updated_at": datetime.now(UTC)}


def small(assignment, revision: int, n: int) -> dict:
    return {"measure_id": assignment.measure_id, "revision": revision, "percent_complete": n % 100}


async def per_document(write, collection, indexes: list) -> float:
    """Milliseconds per document of `write(collection, batch of document numbers)` over DOCUMENTS."""
    for index in indexes:
        await collection.create_index(index)
    began = time.perf_counter()
    for start in range(0, DOCUMENTS, BATCH):
        await write(collection, range(start, start + BATCH))
    return (time.perf_counter() - began) * 1000 / DOCUMENTS


async def measure(url: str) -> list[tuple[str, float]]:
    client = AsyncMongoClient(url, tz_aware=True)
    database = client[f"bench_writes_{int(time.time())}"]
    assignments = city_assignments()

    def key(n: int) -> str:
        assignment = assignments[n % len(assignments)]
        return f"{assignment.measure_id}|{assignment.unit}"

    def updates(document, conditional: bool):
        async def write(collection, numbers) -> None:
            await collection.bulk_write([UpdateOne(
                {"_id": key(n), **({"revision": {"$lt": 2 + n // len(assignments)}} if conditional else {})},
                {"$set": document(assignments[n % len(assignments)], 2 + n // len(assignments), n)})
                for n in numbers], ordered=False)
        return write

    async def stored(name: str, document) -> object:
        collection = database[name]
        await collection.insert_many([{"_id": key(n), **document(a, 1, 0)} for n, a in enumerate(assignments)])
        return collection

    def inserts(document):
        async def write(collection, numbers) -> None:
            await collection.insert_many([{**document(assignments[n % len(assignments)], 2, n), "_id": f"e{n}"}
                                          for n in numbers], ordered=False)
        return write

    async def upserts_of_new(collection, numbers) -> None:
        await database.command({"update": collection.name, "ordered": False, "updates": [
            {"q": {"_id": f"k{n}"}, "u": {"$set": {"n": n, "at": START}}, "upsert": True} for n in numbers]})

    def report(assignment, _revision: int, n: int) -> dict:
        return {"measure_id": assignment.measure_id, "unit": assignment.unit, "period": "2026-11",
                "percent_complete": n % 100, "reported_at": START + timedelta(seconds=n), "digest": f"{n:064x}"}

    try:
        rows = [
            ("update by _id, a small document", await per_document(
                updates(small, False), await stored("small", small), [])),
            ("update by _id, an assignment's state", await per_document(
                updates(state, False), await stored("state", state), [])),
            ("... with the revision in the filter", await per_document(
                updates(state, True), await stored("conditional", state), [])),
        ]
        for count in (1, 2, 3):
            rows.append((f"... and {count} secondary index{'es' if count > 1 else ''}", await per_document(
                updates(state, True), await stored(f"indexed_{count}", state), COPY_INDEXES[:count])))
        rows += [
            ("insert, a report, no secondary index", await per_document(inserts(report), database["reports"], [])),
            ("insert, a report, the tracker history's index", await per_document(
                inserts(report), database["history"], [HISTORY_INDEX])),
            ("insert, a state, reporting revisions' three indexes", await per_document(
                inserts(state), database["revisions"], REVISION_INDEXES)),
            ("upsert of a new small document by _id (the ceiling)", await per_document(
                upserts_of_new, database["ceiling"], [])),
        ]
        return rows
    finally:
        await client.drop_database(database.name)
        await client.close()


def main() -> None:
    if len(sys.argv) > 1:
        rows = asyncio.run(measure(sys.argv[1]))
    else:
        stack = LocalStack(Path(tempfile.mkdtemp(prefix="duban-writes-")), default_ports=False, tie_to_parent=True)
        try:
            rows = asyncio.run(measure(stack.start_database(install())))
        finally:
            stack.stop()
    width = max(len(name) for name, _ in rows)
    print(f"\n{'write (' + f'{DOCUMENTS:,} documents, batches of {BATCH})':<{width}}  ms per document")
    for name, ms in rows:
        print(f"{name:<{width}}  {ms:.2f}")


if __name__ == "__main__":
    main()
