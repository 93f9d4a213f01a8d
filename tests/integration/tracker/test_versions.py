"""The tracker's versioned writes on the real database: exact at the stored precision, and under two writers."""

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest

from services.tracker.domain.reports import newest_per_key
from services.tracker.storage.repository import TrackerRepository
from services.tracker.storage.views import TrackerViews
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.measures import record_measures
from services.tracker.usecases.progress import record_progress
from shared.contracts import Measure, MeasureCreated, ProgressReport, ProgressReported
from tests.support.tracker import tracker_use_cases

START = datetime(2026, 10, 1, 9, tzinfo=UTC)


def reported(unit: str, at: datetime, event_id: str, percent: float = 10.0) -> ProgressReported:
    report = ProgressReport(measure_id="fuzhou-2022-17", unit=unit, region_code="361002", period="2026-Q3",
                            percent_complete=percent, status="in_progress", reported_at=at)
    return ProgressReported.wrap(report, source="/test").model_copy(update={"id": event_id})


async def tracker_on(database) -> Tracker:
    """A tracker's use cases on this database, its measure created (no publisher: the outbox stays)."""
    tracker = tracker_use_cases(database)
    await tracker.repository.ensure_indexes()
    await tracker.states.ensure_indexes()
    measure = Measure(measure_id="fuzhou-2022-17", plan_id="fuzhou-2022", region_code="361000", number=17,
                      title="加强行政应诉工作", lead_units=["市司法局"])
    await record_measures(tracker, [MeasureCreated.wrap(measure, source="/test")])
    return tracker


async def current(repository: TrackerRepository, event: ProgressReported) -> tuple[str, str]:
    period = await repository.period_progress.find_one({"_id": event.data.period_key})
    latest = await repository.assignment_progress.find_one({"_id": event.data.assignment_key})
    return period["event_id"], latest["event_id"]


@pytest.mark.parametrize("batches", ["one batch", "two batches"])
@pytest.mark.parametrize("order", ["later time first", "later id first"])
async def test_two_reports_within_one_millisecond_leave_the_same_report_current_however_they_arrive(
        database, batches, order):
    # The later time (by 500 µs, within one stored millisecond) has the smaller event id: in memory at full
    # precision it would win, in the database the ids decide. Both must decide by the id.
    later_time = reported("临川区政府", START + timedelta(microseconds=700), "report-a", percent=20.0)
    later_id = reported("临川区政府", START + timedelta(microseconds=200), "report-b", percent=30.0)
    events = [later_time, later_id] if order == "later time first" else [later_id, later_time]
    tracker = await tracker_on(database)
    for batch in ([events] if batches == "one batch" else [[event] for event in events]):
        assert await record_progress(tracker, batch) == {}
    assert await current(tracker.repository, later_id) == ("report-b", "report-b")
    history = await TrackerViews(database).reports_for("fuzhou-2022-17", "临川区政府")
    assert [r["event_id"] for r in history] == ["report-a", "report-b"]


async def test_two_trackers_writing_the_same_keys_at_once_leave_the_newest_report_current_and_published(database):
    # No lock anywhere: only the conditional writes keep them exact.
    rng = random.Random(12)
    events = [reported(f"unit-{rng.randrange(8)}", START + timedelta(milliseconds=rng.randrange(50)), f"e{i:04d}",
                       percent=float(i % 100)) for i in range(400)]
    first = await tracker_on(database)
    second = tracker_use_cases(database)
    shuffled = rng.sample(events, len(events))
    halves = [shuffled[i::2] for i in range(2)]

    async def feed(tracker: Tracker, share: list[ProgressReported]) -> None:
        for start in range(0, len(share), 7):
            assert await record_progress(tracker, share[start:start + 7]) == {}

    await asyncio.gather(feed(first, halves[0]), feed(second, halves[1]))
    expected = {key: event.id for key, event in newest_per_key(events, lambda r: r.assignment_key).items()}
    stored = {d["_id"]: d["event_id"] async for d in first.repository.assignment_progress.find()}
    assert stored == expected
    assert await first.repository.progress_reports.count_documents({}) == len(events)
    # The published state of each assignment names the same report, and its events count its revisions once each.
    states = {d["_id"]: d async for d in database["assignment_states"].find({"measure_id": "fuzhou-2022-17",
                                                                             "state.assigned": False})}
    assert {key: d["state"]["report_event_id"] for key, d in states.items()} == expected
    for d in states.values():
        assert [e["data"]["revision"] for e in d["outbox"]] == list(range(1, d["revision"] + 1))


async def test_a_document_stored_without_a_time_is_superseded_by_any_version_after_the_backfill(database):
    from services.tracker.domain.versions import Version
    from services.tracker.storage.writes import VERSION_KEY, backfill_version_keys, write_newest

    collection = database["measures"]
    await collection.insert_one({"_id": "m-1", "title": "written by other means"})  # no published_at, no event_id
    await backfill_version_keys(collection, "published_at")
    assert (await collection.find_one({"_id": "m-1"}))[VERSION_KEY] == ""
    await write_newest(collection, {"m-1": ({"title": "published"}, Version(datetime(2026, 1, 1, tzinfo=UTC), "e1"))})
    assert (await collection.find_one({"_id": "m-1"}))["title"] == "published"
