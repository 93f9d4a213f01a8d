"""Rebuilding alerts' inputs from the topics, and comparing them with the live ones.

alerts' input collections (storage/inputs.py: `alerts_registry`, `alerts_measures`, `alerts_assignments`) hold
nothing the topics do not: registry-published, measure-created and assignment-updated are read from offset 0 and
written through the same store into a fresh database (shared/rebuilding.py: no consumer group, what the live
consumer dead-letters is skipped and counted). No alert is judged: the open alerts and the history are the alerts'
own decisions, kept by the live database, not inputs. The three collections of both databases are then compared
document by document.
"""

from collections.abc import Awaitable, Callable

from pymongo.asynchronous.database import AsyncDatabase

from services.alerts.settings import AlertsSettings
from services.alerts.storage.inputs import Inputs
from shared.contracts import AssignmentUpdated, MeasureCreated, RegistryPublished, Topics
from shared.rebuilding import CollectionDifference, Rebuild, compare_collections, fresh_database, replay, report_lines

COLLECTIONS = ("alerts_registry", "alerts_measures", "alerts_assignments")
# alerts' collections no topic rebuilds (storage/repository.py, webhooks.py, notifications.py): a rebuilt database
# served without them would raise every open alert again as a new episode (and publish every light again).
OWN = ("open_alerts", "alert_history", "alerts_lights", "webhook_subscriptions", "webhook_deliveries",
       "notification_channels", "notifications", "alert_urges")


def applying(save: Callable[[list], Awaitable[None]]):
    """A store's save as the consumer's apply: nothing is ever left pending."""
    async def apply(events: list) -> dict[str, str]:
        await save(events)
        return {}
    return apply


async def rebuild_inputs(settings: AlertsSettings, *, into: str | None = None, compare: bool = True) -> Rebuild:
    """Drops `into` (default `<live database>-alerts-rebuild`), rebuilds alerts' inputs there from the topics, and
    compares them with the live ones. RefusedRebuild (shared/rebuilding.py) when `into` is the live database."""
    name = into or f"{settings.mongodb_database}-alerts-rebuild"
    result, topics = Rebuild(live_database=settings.mongodb_database, database=name), Topics(settings.topic_prefix)
    async with fresh_database(settings, name) as (live_database, database):
        inputs = Inputs(database)
        await inputs.ensure_indexes()
        await replay(settings, result, [(topics.registry_published, RegistryPublished, applying(inputs.save_registry)),
                                        (topics.measure_created, MeasureCreated, applying(inputs.save_measures)),
                                        (topics.assignment_updated, AssignmentUpdated,
                                         applying(inputs.save_assignments))])
        if compare:
            result.comparison = await compare_inputs(live_database, database)
    return result


async def compare_inputs(live_database: AsyncDatabase, rebuilt_database: AsyncDatabase) -> list[CollectionDifference]:
    return await compare_collections([(name, live_database[name], rebuilt_database[name]) for name in COLLECTIONS])


def report(result: Rebuild) -> list[str]:
    """The rebuild as lines for an operator (shared/rebuilding.py report_lines), with how to serve it."""
    return [*report_lines(result, "inputs"),
            "To serve the rebuilt inputs: stop alerts, rebuild again (so nothing it committed is missing), copy into "
            f"{result.database!r} what no topic holds (its decisions and settings: {', '.join(OWN)}), then start "
            f"alerts with DUBAN_MONGODB_DATABASE={result.database}."]
