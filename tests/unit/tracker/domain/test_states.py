"""The published state of an assignment: built from the assignment, the current report and the periods; said
again only when it changed; removed once neither named nor reported."""

from datetime import UTC, datetime

import pytest

from services.tracker.domain.assignments import Assignment
from services.tracker.domain.states import CurrentReport, next_state, removed_state, split_key, state_of
from shared.contracts import ProgressReport

KEY = "m-1|361002.government"
ASSIGNED = Assignment("m-1", "361002.government", "临川区政府", "responsible", "361000", True)
AT = datetime(2026, 10, 1, 9, tzinfo=UTC)


def current(percent: float = 40.0, status: str = "in_progress", event_id: str = "e1") -> CurrentReport:
    return CurrentReport(ProgressReport(measure_id="m-1", unit="361002.government", region_code="361002",
                                        period="2026-Q3", percent_complete=percent, status=status, reported_at=AT,
                                        indicator_values={"出庭应诉率": 96.5}), event_id)


def test_an_assignment_without_a_report_is_not_started_in_the_issuing_region():
    state = state_of(KEY, ASSIGNED, None, [])
    assert (state["status"], state["percent_complete"], state["region_code"], state["role"], state["assigned"],
            state["removed"], state["report_event_id"], state["periods_reported"]) == (
        "not_started", 0, "361000", "responsible", True, False, None, [])
    assert "revision" not in state


def test_a_report_carries_its_figures_its_id_the_units_region_and_every_counted_period_sorted():
    state = state_of(KEY, ASSIGNED, current(status="completed", percent=100), ["2026-Q3", "2026-Q1", "2026-Q3"])
    assert (state["status"], state["percent_complete"], state["region_code"], state["report_event_id"]) == (
        "completed", 100, "361002", "e1")
    assert state["completed_at"] == state["reported_at"] == "2026-10-01T09:00:00Z"
    assert state["periods_reported"] == ["2026-Q1", "2026-Q3"] and state["indicator_values"] == {"出庭应诉率": 96.5}


def test_a_unit_reporting_without_being_named_is_unassigned_under_its_own_name():
    state = state_of(KEY, None, current(), ["2026-Q3"])
    assert (state["assigned"], state["role"], state["unit_name"], state["removed"]) == (
        False, None, "361002.government", False)


def test_the_same_state_again_is_nothing_to_publish_and_a_change_is():
    before = state_of(KEY, ASSIGNED, current(), ["2026-Q3"])
    assert next_state(before, ASSIGNED, current(), ["2026-Q3"], key=KEY) is None
    after = next_state(before, ASSIGNED, current(percent=60, event_id="e2"), ["2026-Q3"], key=KEY)
    assert (after["percent_complete"], after["report_event_id"]) == (60, "e2")


def test_a_key_neither_named_nor_reported_is_removed_once_and_a_key_never_published_produces_nothing():
    before = state_of(KEY, ASSIGNED, current(), ["2026-Q3"])
    removed = next_state(before, None, None, [], key=KEY)
    assert (removed["removed"], removed["assigned"], removed["status"], removed["report_event_id"],
            removed["unit_name"], removed["region_code"]) == (True, False, "not_started", None, "临川区政府", "361002")
    assert next_state(removed, None, None, [], key=KEY) is None  # said once
    assert next_state(None, None, None, [], key=KEY) is None  # an unresolved reporter: no state at all
    assert removed_state(removed) == removed


def test_an_assignment_named_again_after_its_removal_is_published_again():
    removed = removed_state(state_of(KEY, ASSIGNED, None, []))
    back = next_state(removed, ASSIGNED, None, [], key=KEY)
    assert (back["assigned"], back["removed"]) == (True, False)


def test_a_key_is_split_at_its_first_bar():
    assert split_key("m-1|a|b") == ("m-1", "a|b")
    with pytest.raises(ValueError):
        state_of(KEY, None, None, [])
