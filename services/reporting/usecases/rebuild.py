"""Rebuilding reporting's collections from the topics it consumes, and comparing them with the live ones.

Each topic is read from offset 0 (shared/rebuilding.py: no consumer group, the live group's offsets are untouched;
a record the live consumer would dead-letter is counted as skipped) and applied by the same use cases
(usecases/record.py) to a ReportingStore on another database. Topic by topic works because every write is
order-independent across topics (storage/collections.py): an alert's raises, then its severity changes, then its
clears give the state its events in order give. The comparison reads every `reporting_` collection of both
databases and compares them document by document, without the `updated_at` stamps (when a document was written,
not what it says).
"""

from functools import partial

from pymongo.asynchronous.database import AsyncDatabase

from services.reporting.entrypoints.kafka.subscribers import topic_of
from services.reporting.settings import ReportingSettings
from services.reporting.storage.collections import NAMES, PREFIX, ReportingStore
from services.reporting.usecases.record import RECORDERS
from shared.contracts import Topics
from shared.rebuilding import (
    CollectionDifference,
    Rebuild,
    compare_collections,
    documents,
    fresh_database,
    replay,
    report_lines,
)

UNCOMPARED = ("updated_at",)


async def rebuild(settings: ReportingSettings, *, into: str | None = None, compare: bool = True) -> Rebuild:
    """Drops `into` (default `<live database>-reporting-rebuild`), rebuilds reporting's collections there from the
    topics and compares them with the live ones. RefusedRebuild (shared/rebuilding.py) when `into` is the live
    database."""
    name = into or f"{settings.mongodb_database}-reporting-rebuild"
    result, topics = Rebuild(live_database=settings.mongodb_database, database=name), Topics(settings.topic_prefix)
    async with fresh_database(settings, name) as (live_database, database):
        store = ReportingStore(database)
        await store.ensure_indexes()
        await replay(settings, result, [(topic_of(topics, contract), contract, partial(use_case, store))
                                        for contract, use_case in RECORDERS.items()], settings.batch_size)
        if compare:
            result.comparison = await compare_databases(live_database, database)
    return result


async def compare_databases(live_database: AsyncDatabase,
                            rebuilt_database: AsyncDatabase) -> list[CollectionDifference]:
    return await compare_collections([(PREFIX + name, live_database[PREFIX + name], rebuilt_database[PREFIX + name])
                                      for name in NAMES], documents(UNCOMPARED))


def report(result: Rebuild) -> list[str]:
    """The rebuild as lines for an operator (shared/rebuilding.py report_lines), with how to serve it."""
    return [*report_lines(result, "collections"),
            "To serve the rebuilt collections: stop every reporting instance, rebuild again (so nothing their group "
            f"committed is missing), then start reporting with DUBAN_MONGODB_DATABASE={result.database}."]
