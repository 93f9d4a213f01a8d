"""The MongoDB connection, through PyMongo's async API only (Motor is deprecated)."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import structlog
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure

from shared.settings import ServiceSettings

log = structlog.get_logger()

# Values per `$in` of a find_in() query. SecantusDB finds the candidates by index but then matches each against the
# whole list, so one `$in` costs its length squared: 1,000 ids in one find took 1.13 s of the server's time, in
# chunks of 50 0.09 s, of 25 or 100 0.10-0.13 s (on 20,000 documents). MongoDB is indifferent to the chunking.
IN_CHUNK = 50


def connect_database(settings: ServiceSettings) -> tuple[AsyncMongoClient, AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(
        settings.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5_000
    )
    return client, client[settings.mongodb_database]


async def when_reachable(prepare: Callable[[], Awaitable[None]], retry_seconds: float = 2.0) -> None:
    """Runs `prepare` (creating indexes, migrating documents: each step idempotent) until it succeeds, waiting for
    the database without giving up, so a service started while the database is away listens meanwhile (its
    /readyz names the database) instead of failing its start. Errors other than an unreachable database raise."""
    while True:
        try:
            await prepare()
            return
        except ConnectionFailure as error:
            log.warning("database_unreachable", error=repr(error), retry_in_seconds=retry_seconds)
            await asyncio.sleep(retry_seconds)


async def find_in(collection: AsyncCollection, field: str, values: Iterable[Any] | None, query: dict | None = None,
                  projection: dict | None = None) -> AsyncIterator[dict]:
    """The documents whose `field` is one of `values` (each value once, in sorted order) and that match `query`,
    found IN_CHUNK values at a time; with `values` None, every document that matches `query` (the stores' "of
    these measures, every measure's with None"). Every lookup by a batch's ids or keys goes through here. `field`
    holds one value per document (an array holding values of two chunks would come twice)."""
    if values is None:
        async for document in collection.find(query or {}, projection):
            yield document
        return
    wanted = sorted(set(values))
    for start in range(0, len(wanted), IN_CHUNK):
        async for document in collection.find({**(query or {}), field: {"$in": wanted[start:start + IN_CHUNK]}},
                                              projection):
            yield document
