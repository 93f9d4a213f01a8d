"""Measures a MongoDB-wire server for what duban relies on: fidelity first, then speed.

Usage: python bench/database_fidelity.py mongodb://127.0.0.1:27017
Prints one line per check (ok / FAILED with the error) and the timings.
"""

import asyncio
import sys
import time

from pymongo import AsyncMongoClient, InsertOne, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError


async def check(name, coroutine):
    try:
        detail = await coroutine
        print(f"ok      {name}{': ' + str(detail) if detail else ''}")
        return True
    except Exception as error:  # a probe reports every failure, whatever its kind
        print(f"FAILED  {name}: {type(error).__name__}: {str(error)[:200]}")
        return False


async def main(url: str) -> None:
    client = AsyncMongoClient(url)
    db = client["duban_fidelity"]
    await client.drop_database("duban_fidelity")
    reports, assignments = db["reports"], db["assignments"]

    async def unique_index():
        await reports.create_index("event_id", unique=True)
        await reports.insert_one({"event_id": "e1"})
        try:
            await reports.insert_one({"event_id": "e1"})
        except DuplicateKeyError:
            return "duplicate rejected"
        raise AssertionError("duplicate accepted")

    async def compound_unique_index():
        await assignments.create_index([("measure_id", 1), ("unit_id", 1)], unique=True)
        return None

    async def unordered_bulk_with_duplicates():
        try:
            await reports.bulk_write([InsertOne({"event_id": "e1"}), InsertOne({"event_id": "e2"})], ordered=False)
        except BulkWriteError as error:
            codes = {e["code"] for e in error.details["writeErrors"]}
            assert codes == {11000}, codes
            assert await reports.count_documents({"event_id": "e2"}) == 1
            return f"inserted={error.details['nInserted']} dup-codes={codes}"
        raise AssertionError("no error reported for duplicate")

    async def conditional_upsert_newer_wins():
        key = {"_id": "m1|u1|2026-10"}
        for reported_at, percent in (("2026-10-05", 40), ("2026-10-09", 60), ("2026-10-07", 50)):
            try:
                await assignments.update_one(
                    {**key, "reported_at": {"$lt": reported_at}},
                    {"$set": {"reported_at": reported_at, "percent": percent}},
                    upsert=True,
                )
            except DuplicateKeyError:
                pass  # a newer report is already there
        document = await assignments.find_one(key)
        assert document["percent"] == 60, document
        return "older report ignored"

    async def set_on_insert_and_inc():
        await db["m"].update_one({"_id": "x"}, {"$setOnInsert": {"a": 1}, "$inc": {"n": 1}}, upsert=True)
        await db["m"].update_one({"_id": "x"}, {"$setOnInsert": {"a": 2}, "$inc": {"n": 1}}, upsert=True)
        document = await db["m"].find_one({"_id": "x"})
        assert document == {"_id": "x", "a": 1, "n": 2}, document

    async def aggregation_stages():
        await db["agg"].insert_many(
            [{"region": r, "status": s, "percent": p} for r, s, p in
             [("361002", "done", 100), ("361002", "open", 20), ("361003", "open", 40)]]
        )
        rows = await (await db["agg"].aggregate([
            {"$match": {"percent": {"$gte": 0}}},
            {"$group": {"_id": "$region", "count": {"$sum": 1}, "percent": {"$sum": "$percent"},
                        "done": {"$sum": {"$cond": [{"$eq": ["$status", "done"]}, 1, 0]}}}},
            {"$sort": {"_id": 1}},
        ])).to_list()
        assert rows[0] == {"_id": "361002", "count": 2, "percent": 120, "done": 1}, rows
        return "$match $group $sum $cond $sort"

    async def average_accumulator():
        rows = await (await db["agg"].aggregate([{"$group": {"_id": None, "avg": {"$avg": "$percent"}}}])).to_list()
        assert rows[0]["avg"] == 160 / 3, rows

    async def transactions():
        async with client.start_session() as session:
            async with await session.start_transaction():
                await db["tx"].insert_one({"a": 1}, session=session)

    async def change_streams():
        async with await db["cs"].watch(max_await_time_ms=100):
            return None

    results = [
        await check("unique index", unique_index()),
        await check("compound unique index", compound_unique_index()),
        await check("unordered bulk_write with duplicate keys", unordered_bulk_with_duplicates()),
        await check("conditional upsert: newer report wins", conditional_upsert_newer_wins()),
        await check("$setOnInsert + $inc upsert", set_on_insert_and_inc()),
        await check("aggregation", aggregation_stages()),
        await check("$avg accumulator (optional: averages are computed from $sum)", average_accumulator()),
        await check("transactions (optional)", transactions()),
        await check("change streams (optional)", change_streams()),
    ]

    for size in (1_000, 10_000):
        coll = db[f"speed{size}"]
        await coll.create_index("event_id", unique=True)
        started = time.perf_counter()
        await coll.bulk_write(
            [UpdateOne({"_id": f"k{i}"}, {"$set": {"event_id": f"e{i}", "percent": i % 100}}, upsert=True)
             for i in range(size)],
            ordered=False,
        )
        upserts = time.perf_counter() - started
        started = time.perf_counter()
        rows = await (await coll.aggregate([{"$group": {"_id": None, "total": {"$sum": "$percent"}}}])).to_list()
        assert rows[0]["total"] == sum(i % 100 for i in range(size)), rows
        aggregate = time.perf_counter() - started
        print(f"speed   {size} bulk upserts: {upserts:.2f} s ({size / upserts:,.0f}/s); "
              f"$group over them: {aggregate * 1000:.0f} ms")
    print(f"checks passed: {sum(results)}/{len(results)}")
    await client.drop_database("duban_fidelity")
    await client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "mongodb://127.0.0.1:27017"))
