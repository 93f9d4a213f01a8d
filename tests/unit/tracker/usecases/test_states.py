"""Deciding and writing the published states (usecases/states.py) on in-memory repositories."""

from services.tracker.domain.assignments import Assignment
from services.tracker.usecases.context import Tracker
from services.tracker.usecases.current import recompute_current
from services.tracker.usecases.states import refresh_states
from tests.unit.tracker.fakes import fake_tracker, report_document

KEY = "m-1|临川区政府"
ASSIGNED = Assignment("m-1", "临川区政府", "临川区政府", "responsible", "361000", False)


def tracker() -> tuple[Tracker, list[int]]:
    woken: list[int] = []
    return fake_tracker(lambda: woken.append(1)), woken


async def test_a_new_assignment_is_published_at_revision_one_and_the_same_state_never_again():
    t, woken = tracker()
    t.repository.assignments[KEY] = ASSIGNED
    assert await refresh_states(t, [KEY]) == 1 and woken == [1]
    [event] = t.states.documents[KEY]["outbox"]
    assert (event["id"], event["subject"], event["source"], event["type"]) == (
        f"{KEY}#1", KEY, "/duban/tracker", "assignment-updated")
    assert (event["data"]["revision"], event["data"]["status"]) == (1, "not_started")
    assert await refresh_states(t, [KEY]) == 0 and woken == [1]  # a redelivered batch: nothing new


async def test_a_report_moves_the_state_to_the_next_revision():
    t, _ = tracker()
    t.repository.assignments[KEY] = ASSIGNED
    await refresh_states(t, [KEY])
    t.repository.receive(report_document("e1", "临川区政府", "2026-Q3", 35.5, 9))
    assert await refresh_states(t, [KEY]) == 1
    document = t.states.documents[KEY]
    assert [e["id"] for e in document["outbox"]] == [f"{KEY}#1", f"{KEY}#2"]
    assert (document["revision"], document["state"]["report_event_id"], document["state"]["periods_reported"]) == (
        2, "e1", ["2026-Q3"])


async def test_a_write_lost_to_another_tracker_is_decided_again_from_fresh_reads():
    t, _ = tracker()
    t.repository.assignments[KEY] = ASSIGNED
    other, _ = tracker()
    other.repository, other.states = t.repository, t.states

    async def another_tracker_writes_first() -> None:
        # It read before our report arrived: its state (not started) takes revision 1 under our feet.
        t.repository.assignments[KEY] = ASSIGNED
        saved = t.repository.current["assignment_progress"].copy(), t.repository.current["period_progress"].copy()
        t.repository.current["assignment_progress"].clear()
        t.repository.current["period_progress"].clear()
        await refresh_states(other, [KEY])
        t.repository.current["assignment_progress"], t.repository.current["period_progress"] = saved

    t.repository.receive(report_document("e1", "临川区政府", "2026-Q3", 50, 9))
    t.states.before_write = another_tracker_writes_first
    assert await refresh_states(t, [KEY]) == 1
    document = t.states.documents[KEY]
    assert [(e["id"], e["data"]["report_event_id"]) for e in document["outbox"]] == [
        (f"{KEY}#1", None), (f"{KEY}#2", "e1")]
    assert document["state"]["percent_complete"] == 50


async def test_a_unit_no_longer_named_without_reports_is_removed_and_one_with_reports_stays_unassigned():
    t, _ = tracker()
    named, reporting = "m-1|a", "m-1|b"
    t.repository.assignments[named] = Assignment("m-1", "a", "a", "lead", "361000", False)
    t.repository.assignments[reporting] = Assignment("m-1", "b", "b", "responsible", "361000", False)
    t.repository.receive(report_document("e1", "b", "2026-Q3", 20, 9))
    await refresh_states(t, [named, reporting])
    t.repository.assignments.clear()  # the measure was published again without either unit
    assert await refresh_states(t, [named, reporting]) == 2
    gone, unassigned = t.states.documents[named]["state"], t.states.documents[reporting]["state"]
    assert (gone["removed"], gone["assigned"]) == (True, False)
    assert (unassigned["removed"], unassigned["assigned"], unassigned["report_event_id"]) == (False, False, "e1")
    assert await refresh_states(t, [named, reporting]) == 0


async def test_a_report_whose_unit_is_unresolved_produces_no_state():
    t, woken = tracker()
    assert await refresh_states(t, ["m-1|临川区政府办公室X"]) == 0
    assert t.states.documents == {} and woken == []


async def test_periods_only_added_to_are_the_stored_ones_and_the_added_and_a_removal_meanwhile_wins():
    t, _ = tracker()
    t.repository.assignments[KEY] = ASSIGNED
    t.repository.receive(report_document("e1", "临川区政府", "2026-Q3", 20, 9))
    await refresh_states(t, [KEY])
    t.repository.receive(report_document("e2", "临川区政府", "2026-Q4", 40, 10))
    assert await refresh_states(t, [KEY], {KEY: {"2026-Q4"}}) == 1
    assert t.states.documents[KEY]["state"]["periods_reported"] == ["2026-Q3", "2026-Q4"]

    other, _ = tracker()
    other.repository, other.states = t.repository, t.states

    async def another_tracker_withdraws_the_q3_report() -> None:
        t.repository.history["e1"]["withdrawn"] = {"event_id": "w1"}
        await refresh_states(other, await recompute_current(other, {("m-1", "临川区政府")}))

    t.repository.receive(report_document("e3", "临川区政府", "2026-Q4", 60, 11))
    t.states.before_write = another_tracker_withdraws_the_q3_report
    await refresh_states(t, [KEY], {KEY: {"2026-Q4"}})  # read the stored Q3 and Q4; lost to the withdrawal
    state = t.states.documents[KEY]["state"]
    assert (state["periods_reported"], state["report_event_id"]) == (["2026-Q4"], "e3")
