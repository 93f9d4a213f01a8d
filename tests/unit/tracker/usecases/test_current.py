"""Deciding the current reports again after a withdrawal (usecases/current.py), with another tracker's report
arriving at the worst moment: without a lock, the compare-and-set and the re-read keep the newest counted."""

import pytest

from services.tracker.usecases.context import Tracker
from services.tracker.usecases.current import recompute_current
from tests.unit.tracker.fakes import fake_tracker, report_document

UNIT = "临川区政府"


def tracker_with(*documents: dict) -> Tracker:
    t = fake_tracker()
    for document in documents:
        t.repository.receive(document)
    return t


def current(t: Tracker) -> tuple[str, dict[str, str]]:
    return (t.repository.current["assignment_progress"]["m-1|临川区政府"]["event_id"],
            {key: d["event_id"] for key, d in t.repository.current["period_progress"].items()})


async def test_a_withdrawn_report_gives_way_to_the_next_latest_and_its_period_goes_when_it_had_no_other():
    t = tracker_with(report_document("q2", UNIT, "2026-Q2", 20, 9), report_document("q3", UNIT, "2026-Q3", 60, 10))
    t.repository.history["q3"]["withdrawn"] = {"event_id": "w1"}
    assert await recompute_current(t, {("m-1", UNIT)}) == {"m-1|临川区政府"}
    assert current(t) == ("q2", {"m-1|临川区政府|2026-Q2": "q2"})
    await recompute_current(t, {("m-1", UNIT)})  # again (a redelivered withdrawal): the same
    assert current(t) == ("q2", {"m-1|临川区政府|2026-Q2": "q2"})


@pytest.mark.parametrize(("arriving", "percent", "hour"), [
    # Older than the withdrawn W, newer than the rest: its versioned upsert is a no-op (W is stored and newer) and
    # it reached the history after our read of it; we must still end on it.
    ("between", 50, 10),
    # Newer than W: its upsert changes the current report under us, so our compare-and-set fails; we keep it.
    ("newest", 95, 13),
])
async def test_a_report_arriving_between_our_reads_and_our_write_is_not_lost(arriving, percent, hour):
    t = tracker_with(report_document("old", UNIT, "2026-Q3", 20, 8), report_document("w", UNIT, "2026-Q3", 90, 12))
    t.repository.history["w"]["withdrawn"] = {"event_id": "w1"}

    async def another_tracker_applies_it() -> None:
        t.repository.receive(report_document(arriving, UNIT, "2026-Q3", percent, hour))

    t.repository.before_compare_and_set = another_tracker_applies_it
    await recompute_current(t, {("m-1", UNIT)})
    assert current(t) == (arriving, {"m-1|临川区政府|2026-Q3": arriving})
