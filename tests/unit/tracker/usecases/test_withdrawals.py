"""Withdrawals (usecases/withdrawals.py) on in-memory repositories: refused with a reason, or applied with the next
current report published once."""

from services.tracker.domain.assignments import Assignment
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.states import refresh_states
from services.tracker.usecases.withdrawals import record_withdrawals
from shared.contracts import ProgressWithdrawal, ProgressWithdrawn
from tests.unit.tracker.fakes import fake_tracker, report_document

UNIT, KEY = "临川区政府", "m-1|临川区政府"


def withdrawn(event_id: str, period: str = "2026-Q3", measure_id: str = "m-1") -> ProgressWithdrawn:
    return ProgressWithdrawn.wrap(ProgressWithdrawal(event_id=event_id, measure_id=measure_id, unit=UNIT,
                                                     region_code="361002", period=period, reason="wrong figure",
                                                     by="operator"), source="/test")


async def reported_twice() -> Tracker:
    t = fake_tracker()
    t.repository.assignments[KEY] = Assignment("m-1", UNIT, UNIT, "responsible", "361000", False)
    t.repository.receive(report_document("q2", UNIT, "2026-Q2", 20, 9))
    t.repository.receive(report_document("q3", UNIT, "2026-Q3", 60, 10))
    await refresh_states(t, [KEY])
    return t


async def test_a_withdrawal_publishes_the_next_current_report_once_however_often_it_comes():
    t = await reported_twice()
    event = withdrawn("q3")
    assert await record_withdrawals(t, [event]) == {}
    document = t.states.documents[KEY]
    assert (document["revision"], document["state"]["report_event_id"], document["state"]["periods_reported"]) == (
        2, "q2", ["2026-Q2"])
    assert t.repository.history["q3"]["withdrawn"]["event_id"] == event.id
    assert await record_withdrawals(t, [event, withdrawn("q3")]) == {}  # again, and a second withdrawal of it
    assert t.states.documents[KEY]["revision"] == 2
    assert t.repository.history["q3"]["withdrawn"]["event_id"] == event.id  # the first one is kept


async def test_a_withdrawal_of_a_report_not_received_or_of_another_period_is_refused_with_the_reason():
    t = await reported_twice()
    unknown, elsewhere = withdrawn("nope"), withdrawn("q3", period="2026-Q1")
    refused = await record_withdrawals(t, [unknown, elsewhere])
    assert refused[unknown.id] == "no report 'nope' to withdraw has been received"
    assert "is on m-1 for 361002, 2026-Q3, not on m-1, 361002, 2026-Q1" in refused[elsewhere.id]
    assert t.states.documents[KEY]["revision"] == 1 and "withdrawn" not in t.repository.history["q3"]
