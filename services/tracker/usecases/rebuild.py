"""Rebuilding the tracker's whole state from its topics, and comparing it with the live state.

The rebuild reads measure-created, then progress-reported, then progress-withdrawn, then the supervision loop's
topics (assignment-signed … assignment-reopened), each from offset 0 to the end
offsets it finds on starting (no consumer group: the live tracker's offsets are not touched), and applies them in
batches through the live path: shared/kafka/consuming.py's parsing and poison isolation, and the tracker's use cases on
a fresh database (their outbox is never published: the live tracker published those changes). Measures go
first, so a report never waits for its measure. What the live tracker would dead-letter (a contract violation, a
report for a measure that does not exist, with a clients file an event from outside its producer's scope) is skipped
and counted instead.

The comparison reads the tracker's collections from both databases and compares them document by document;
assignment_states by the state only (STATE_ONLY): its revisions count the changes as each tracker met them in its
batches (the rebuild meets them in others), its outbox is what each has left to publish, and a state said
`removed` is as absent as one never published (the live tracker may have published an assignment the rebuild,
reading the registry first, never had).

Then the rebuilt states continue the live revisions (continue_live_revisions), so that serving the rebuilt database
tells the consumers (who keep the highest revision per key) exactly what differs, and nothing else.
The live state is read as it is at that moment: if the tracker is behind, or events arrive during the
rebuild, the two differ by those events. A report the live tracker dead-lettered because its measure came
too late, and that was never replayed, is in the rebuilt state and not in the live one: that is a real
difference, and the rebuilt state is the one the topics say is right.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.tracker.domain.states import removed_state
from services.tracker.settings import TrackerSettings
from services.tracker.storage.loop import LoopSteps
from services.tracker.storage.repository import TrackerRepository
from services.tracker.storage.states import AssignmentStates
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.loop_steps import record_loop_steps
from services.tracker.usecases.measures import record_measures
from services.tracker.usecases.progress import record_progress
from services.tracker.usecases.registry import record_registry
from services.tracker.usecases.states import updated_event
from services.tracker.usecases.withdrawals import record_withdrawals
from shared.contracts import LOOP_EVENTS, MeasureCreated, ProgressReported, ProgressWithdrawn, RegistryPublished, Topics
from shared.rebuilding import (
    WHOLE_DOCUMENTS,
    CollectionDifference,
    compare_collections,
    fresh_database,
    replay,
    report_lines,
)
from shared.rebuilding import Rebuild as TopicsRebuild

COLLECTIONS = ("registry", "unit_mappings", "measures", "assignments", "progress_reports", "period_progress",
               "assignment_progress", "report_conflicts", "loop_steps", "assignment_states")
# Of an assignment_states document, what is compared (see the module's doc).
STATE_ONLY = "state"


@dataclass
class Rebuild(TopicsRebuild):
    corrections: int = 0  # assignment-updated events the rebuilt database holds for publication when served


def rebuild_database_name(settings: TrackerSettings, into: str | None) -> str:
    return into or f"{settings.mongodb_database}-rebuild"


async def rebuild(settings: TrackerSettings, *, into: str | None = None, compare: bool = True) -> Rebuild:
    """Drops `into` (default `<live database>-rebuild`), rebuilds the state there, and compares it with the live.
    RefusedRebuild (shared/rebuilding.py) when `into` is the live database."""
    name = rebuild_database_name(settings, into)
    result = Rebuild(live_database=settings.mongodb_database, database=name)
    topics = Topics(settings.topic_prefix)
    async with fresh_database(settings, name) as (live_database, database):
        repository, states, loops = TrackerRepository(database), AssignmentStates(database), LoopSteps(database)
        await repository.ensure_indexes()
        await states.ensure_indexes()
        await loops.ensure_indexes()
        tracker = Tracker(repository, states, loops)
        # Operators' unit mappings are in no topic: they come from the live state.
        mappings = await live_database["unit_mappings"].find().to_list()
        if mappings:
            await repository.unit_mappings.insert_many(mappings)
        await replay(settings, result, [
            (topic, contract, partial(use_case, tracker)) for topic, contract, use_case in (
                (topics.registry_published, RegistryPublished, record_registry),
                (topics.measure_created, MeasureCreated, record_measures),
                (topics.progress_reported, ProgressReported, partial(record_progress, skew=settings.clock_skew)),
                (topics.progress_withdrawn, ProgressWithdrawn, record_withdrawals),
                *((topic, contract, partial(record_loop_steps, skew=settings.clock_skew)) for topic, contract in zip(
                    topics.loop(), LOOP_EVENTS.values(), strict=True)))], settings.batch_size)
        if compare:
            result.comparison = await compare_databases(live_database, database)
        result.corrections = await continue_live_revisions(AssignmentStates(live_database), states)
    return result


async def continue_live_revisions(live: AssignmentStates, rebuilt: AssignmentStates) -> int:
    """Renumbers the rebuilt states from the live ones and leaves pending only the events that correct what the
    live tracker published; returns how many. A state equal to the live one takes its revision, nothing pending;
    one that differs takes the live revision + 1 with its event; one the live tracker published and the rebuild
    does not have is said removed at the live revision + 1; one the live tracker never published keeps its
    revision, with its one event (none if removed). The rebuild's own outbox (every revision it went through) is
    dropped: the live tracker published those changes, and a replay would reuse their ids with other content."""
    live_states, rebuilt_states = await live.everything(), await rebuilt.everything()
    decided_at, corrections = datetime.now(UTC), 0
    for key in sorted(live_states.keys() | rebuilt_states.keys()):
        old, new = live_states.get(key), rebuilt_states.get(key)
        if new is None:
            if old.state["removed"]:
                continue
            revision, state = old.revision + 1, removed_state(old.state)
        elif old is None:
            revision, state = new.revision, new.state
        elif old.state == new.state:
            await rebuilt.overwrite(key, old.revision, new.state, [])
            continue
        else:
            revision, state = old.revision + 1, new.state
        said = old is not None or not state["removed"]
        await rebuilt.overwrite(key, revision, state, [updated_event(key, revision, state, decided_at)] if said else [])
        corrections += said
    return corrections


async def compare_databases(live_database: AsyncDatabase,
                            rebuilt_database: AsyncDatabase) -> list[CollectionDifference]:
    return await compare_collections(
        [(name, live_database[name], rebuilt_database[name]) for name in COLLECTIONS], comparable)


async def comparable(name: str, collection: AsyncCollection) -> dict:
    """A collection's documents by _id, as compared: assignment_states' states only, those removed left out."""
    if name != "assignment_states":
        return await WHOLE_DOCUMENTS(name, collection)
    return {document["_id"]: document[STATE_ONLY] async for document in collection.find(
        {"state.removed": False}, {STATE_ONLY: 1})}


def report(result: Rebuild) -> list[str]:
    """The rebuild as lines for an operator (shared/rebuilding.py report_lines), with how to serve it."""
    lines = report_lines(result, "collections")
    if result.corrections:
        lines.append(f"{result.corrections} assignment states differ from what the live tracker published: serving "
                     "the rebuilt database publishes them (their revisions continue the live ones)")
    lines.append(
        f"To serve the rebuilt state: stop the tracker, rebuild again (so nothing it committed is missing), then "
        f"start the tracker with DUBAN_MONGODB_DATABASE={result.database}.")
    return lines
