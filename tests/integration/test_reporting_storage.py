"""reporting's store on the real database: an assignment's highest revision wins within a batch and across
batches, and every report a revision carried is kept in the history."""

from datetime import UTC, datetime

from services.reporting.storage.collections import ReportingStore
from tests.integration.test_alerts_api import COURT
from tests.support.alerts_inputs import assignment_updated

AT = datetime(2026, 7, 1, 8, tzinfo=UTC)


def carrying(revision: int, percent: int):
    return assignment_updated(COURT, "u", revision, percent_complete=percent, period="2026-06", reported_at=AT,
                              report_event_id=f"r{revision}", periods_reported=["2026-06"])


async def test_the_highest_revision_of_a_batch_is_stored_and_each_carried_report_kept(database):
    store = ReportingStore(database)
    await store.ensure_indexes()
    await store.save_assignments([carrying(2, 20), carrying(3, 30), carrying(1, 10)])
    await store.save_assignments([carrying(2, 20)])  # late, older: nothing changes

    stored = await database["reporting_assignments"].find_one({"_id": "p-1|u"})
    assert (stored["revision"], stored["percent_complete"], stored["event_id"]) == (3, 30, "p-1|u#3")
    revisions = {d["_id"]: d["revision"] async for d in database["reporting_revisions"].find()}
    assert revisions == {"r1": 1, "r2": 2, "r3": 3}
