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
Then the floor of a design in which every write a report makes is an insert (insert_only_floor), in reports per
second: beside the present design's floor (`make bench`), what a storage redesign could reach on this server.
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

DOCUMENTS, BATCH, REPORTS = 2_000, 250, 3_000
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


def revision(assignments: list, n: int) -> int:
    """The revision report `n` gives its assignment when reports go round `assignments` (revision 1 is stored)."""
    return 2 + n // len(assignments)


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


async def insert_only_floor(database, assignments: list, alerts_keep_a_copy: bool, at_once: bool) -> float:
    """Reports per second if each report cost only inserts, each keyed by what makes it once (`key#revision` for a
    state, the event id for a report): the tracker's history and its state's revision (a duplicate key being the
    lost race of two trackers), alerts' copy (unless alerts keeps its inputs in memory, rebuilt from the topics),
    and reporting's revision, which serves as its copy too. Indexes: the history's, `(key, revision)` on each
    state collection (the latest found when read), reporting's `updated_at` and `(measure_id, reported_at)`. No
    reads. One command per collection and batch; the services one after another, or at once (`at_once`)."""
    states = {name: database[f"insert_only_{name}"] for name in ("tracker", "alerts", "reporting")}
    history = database["insert_only_history"]
    for collection in (history, *states.values()):
        await collection.drop()  # each run from empty collections
    await history.create_index(HISTORY_INDEX)
    for collection in states.values():
        await collection.create_index([("key", 1), ("revision", -1)])
    for index in REVISION_INDEXES[:2]:
        await states["reporting"].create_index(index)

    def revision_of(n: int) -> tuple[str, dict]:
        assignment = assignments[n % len(assignments)]
        key, at = f"{assignment.measure_id}|{assignment.unit}", revision(assignments, n)
        return f"{key}#{at}", {**state(assignment, at, n), "key": key}

    async def insert(collection, numbers) -> None:
        await collection.insert_many([{**document, "_id": _id} for _id, document in map(revision_of, numbers)],
                                     ordered=False)

    async def tracker(numbers) -> None:
        await history.insert_many([{**report(assignments[n % len(assignments)], 0, n), "_id": f"e{n}"}
                                   for n in numbers], ordered=False)
        await insert(states["tracker"], numbers)

    async def alerts(numbers) -> None:
        if alerts_keep_a_copy:
            await insert(states["alerts"], numbers)

    began = time.perf_counter()
    for start in range(0, REPORTS, BATCH):
        numbers = range(start, start + BATCH)
        services = (tracker(numbers), alerts(numbers), insert(states["reporting"], numbers))
        if at_once:
            await asyncio.gather(*services)
        else:
            for service in services:
                await service
    return REPORTS / (time.perf_counter() - began)


def report(assignment, _revision: int, n: int) -> dict:
    return {"measure_id": assignment.measure_id, "unit": assignment.unit, "period": "2026-11",
            "percent_complete": n % 100, "reported_at": START + timedelta(seconds=n), "digest": f"{n:064x}"}


async def measure(url: str) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(write, ms per document) rows; (insert-only floor, reports/s) rows."""
    client = AsyncMongoClient(url, tz_aware=True)
    database = client[f"bench_writes_{int(time.time())}"]
    assignments = city_assignments()

    def key(n: int) -> str:
        assignment = assignments[n % len(assignments)]
        return f"{assignment.measure_id}|{assignment.unit}"

    def updates(document, conditional: bool):
        async def write(collection, numbers) -> None:
            await collection.bulk_write([UpdateOne(
                {"_id": key(n), **({"revision": {"$lt": revision(assignments, n)}} if conditional else {})},
                {"$set": document(assignments[n % len(assignments)], revision(assignments, n), n)})
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
        floors = []
        for alerts_keep_a_copy in (True, False):
            for at_once in (False, True):
                floors.append((f"alerts' copy {'kept' if alerts_keep_a_copy else 'in memory'}, the services "
                               f"{'at once' if at_once else 'one after another'}",
                               await insert_only_floor(database, assignments, alerts_keep_a_copy, at_once)))
        return rows, floors
    finally:
        await client.drop_database(database.name)
        await client.close()


def main() -> None:
    if len(sys.argv) > 1:
        rows, floors = asyncio.run(measure(sys.argv[1]))
    else:
        stack = LocalStack(Path(tempfile.mkdtemp(prefix="duban-writes-")), default_ports=False, tie_to_parent=True)
        try:
            rows, floors = asyncio.run(measure(stack.start_database(install())))
        finally:
            stack.stop()
    width = max(len(name) for name, _ in rows + floors)
    print(f"\n{'write (' + f'{DOCUMENTS:,} documents, batches of {BATCH})':<{width}}  ms per document")
    for name, ms in rows:
        print(f"{name:<{width}}  {ms:.2f}")
    print(f"\n{'insert-only floor (' + f'{REPORTS:,} reports)':<{width}}  reports/s")
    for name, rate in floors:
        print(f"{name:<{width}}  {rate:,.0f}")


if __name__ == "__main__":
    main()
