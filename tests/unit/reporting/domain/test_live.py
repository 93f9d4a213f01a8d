"""Today's figures kept incrementally: taking a fact away is exact, distinct units are counted by reference."""

from datetime import UTC, date, datetime

from services.reporting.domain.live import LiveFigures
from services.reporting.domain.rollup import tally

TODAY = date(2026, 11, 22)
MEASURES = {"m1": {"_id": "m1", "deadlines": [], "targets": [], "lead_units": ["甲局"]},
            "m2": {"_id": "m2", "deadlines": [{"text": "年底前", "date": "2026-06-30", "recurrence": None}],
                   "targets": []}}


def view(measure_id: str, unit: str, region_code: str, status: str = "in_progress", percent: float = 33.3) -> dict:
    return {"measure_id": measure_id, "unit": unit, "unit_name": unit, "role": "lead", "region_code": region_code,
            "status": status, "percent_complete": percent, "period": "2026-Q4",
            "reported_at": datetime(2026, 11, 2, tzinfo=UTC), "completed_at": None, "narrative": "",
            "indicator_values": {}, "periods_reported": ["2026-Q4"]}


def views(*items: dict) -> dict[str, dict]:
    return {f"{v['measure_id']}|{v['unit']}": v for v in items}


def no_flags(measure_id: str, unit: str) -> list:
    return []


def test_a_unit_counts_once_while_any_of_its_assignments_is_left_and_sums_come_back_exactly():
    state = views(view("m1", "u1", "361002"), view("m2", "u1", "361002", percent=0.1), view("m1", "u2", "361002"))
    live = LiveFigures(TODAY, "quarter", state, MEASURES, no_flags)
    # The leaf's float sum is exact (nanounits); a tally adds floats: the same figures as shown.
    assert live.evaluation.leaves["361002"].as_dict() == tally(live.evaluation.facts_by_code["361002"]).as_dict()
    assert live.evaluation.leaves["361002"].units == 2
    removed = state.pop("m2|u1")
    live.update({"m2|u1"}, state, MEASURES, no_flags)
    leaf = live.evaluation.leaves["361002"]
    assert (leaf.units, leaf.assignments, leaf.percent_total) == (2, 2, 66.6)
    state["m2|u1"] = removed
    live.update({"m2|u1"}, state, MEASURES, no_flags)
    assert live.evaluation.leaves["361002"] == LiveFigures(TODAY, "quarter", state, MEASURES, no_flags
                                                           ).evaluation.leaves["361002"]


def test_an_assignment_moving_region_leaves_its_old_leaf_and_an_evaluation_handed_out_never_changes():
    state = views(view("m1", "u1", "361002"), view("m1", "u2", "361003"))
    live = LiveFigures(TODAY, "quarter", state, MEASURES, no_flags)
    before = live.evaluation
    state["m1|u2"] = view("m1", "u2", "361002")
    after = live.update({"m1|u2"}, state, MEASURES, no_flags)
    assert "361003" not in after.leaves and after.leaves["361002"].assignments == 2
    assert before.leaves["361003"].assignments == 1 and before.leaves["361002"].assignments == 1
