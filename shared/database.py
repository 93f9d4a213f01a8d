"""The MongoDB connection, through PyMongo's async API only (Motor is deprecated)."""

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure

from shared.settings import ServiceSettings

log = structlog.get_logger()


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
