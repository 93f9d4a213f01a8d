"""shared/database.find_in on the real server: a lookup by a long list of ids finds what one `$in` would, in
chunks the server matches cheaply."""

from shared.database import IN_CHUNK, find_in


async def test_a_long_list_of_ids_finds_each_document_once_with_the_query_and_projection(database):
    collection = database["lookups"]
    await collection.insert_many([{"_id": f"k{n:04d}", "measure_id": f"m{n % 7}", "removed": n % 5 == 0, "n": n}
                                  for n in range(IN_CHUNK * 5)])
    wanted = [f"k{n:04d}" for n in range(0, IN_CHUNK * 5, 2)] + ["k0002", "absent"]  # a repeat, an unknown id

    found = [d async for d in find_in(collection, "_id", reversed(wanted), {"removed": False}, {"n": 1})]

    expected = [d async for d in collection.find({"_id": {"$in": wanted}, "removed": False}, {"n": 1})]
    assert sorted(found, key=lambda d: d["_id"]) == sorted(expected, key=lambda d: d["_id"])
    assert len(found) == len({d["_id"] for d in found}) == len(expected) == 100  # every 2nd of 250, not 5th
    assert all(d.keys() == {"_id", "n"} for d in found)
    by_measure = [d["_id"] async for d in find_in(collection, "measure_id", [f"m{n}" for n in range(7)] * 20)]
    assert len(by_measure) == IN_CHUNK * 5
    assert [d async for d in find_in(collection, "_id", [])] == []
    every = [d["_id"] async for d in find_in(collection, "measure_id", None, {"removed": False})]  # None: all
    assert sorted(every) == [f"k{n:04d}" for n in range(IN_CHUNK * 5) if n % 5]
