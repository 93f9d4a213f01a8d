"""The loop's work lists: a unit's inbox and a region's verification queue, from the assignments' loop states."""

from datetime import UTC, date, datetime

from services.reporting.domain.inbox import inbox, verification_queue
from services.reporting.domain.lights import LightChange
from services.reporting.domain.snapshot import Snapshot

TODAY = date(2026, 11, 22)
REGIONS = {"361000": {"code": "361000", "name": "抚州市", "level": "city", "parent_code": None},
           "361002": {"code": "361002", "name": "临川区", "level": "county", "parent_code": "361000"},
           "361003": {"code": "361003", "name": "东乡区", "level": "county", "parent_code": "361000"}}
MEASURES = {f"m{n}": {"number": n, "title": f"措施{n}", "deadlines": [], "targets": []} for n in range(1, 8)}


def view(measure: str, unit: str, loop: str | None, region="361002", status="in_progress", role="responsible",
         returned=0, requested: str | None = None, periods=()) -> dict:
    return {"measure_id": measure, "unit": unit, "unit_name": f"{unit}名", "role": role, "region_code": region,
            "status": status, "percent_complete": 50, "loop_state": loop, "returned_count": returned,
            "completion_requested_at": requested and datetime.fromisoformat(requested),
            "periods_reported": list(periods)}


def snapshot(views: list[dict], changes=()) -> Snapshot:
    return Snapshot(views, MEASURES, REGIONS, light_changes=list(changes))


def test_a_units_inbox_holds_what_to_sign_report_on_and_what_was_returned_each_once():
    views = [view("m3", "u", "assigned"), view("m1", "u", "assigned", role=None),  # not named: nothing to sign
             view("m2", "u", "signed"), view("m4", "u", "in_progress", periods=["2026-Q4"]),
             view("m5", "u", "in_progress"), view("m6", "u", "in_progress", returned=1),
             view("m7", "u", "completion_requested", requested="2026-11-01T02:00:00+00:00"),
             view("m1", "other", "assigned"), view("m2", "u2", "closed_out")]
    lit = [LightChange("m6|u#light-1", "m6", "u", "361002", "red", date(2026, 11, 20), datetime(2026, 11, 20,
                                                                                                   tzinfo=UTC))]
    found = inbox(snapshot(views, lit), "u", TODAY)
    assert [r["measure_id"] for r in found["to_sign"]] == ["m3"]
    # Those not reported on the current period (2026-Q4) first, then in the plan's order.
    assert [(r["measure_id"], r["reported_in_period"]) for r in found["to_report"]] == [
        ("m2", False), ("m5", False), ("m4", True)]
    assert [(r["measure_id"], r["returned_count"], r["light"]) for r in found["returned"]] == [("m6", 1, "red")]
    assert found["counts"] == {"to_sign": 1, "to_report": 3, "returned": 1}
    assert found["to_sign"][0]["title"] == "措施3" and found["to_sign"][0]["region_name"] == "临川区"


def test_the_verification_queue_lists_the_requests_waiting_in_the_region_oldest_first_with_days_waiting():
    views = [view("m1", "a", "completion_requested", requested="2026-11-20T01:00:00+00:00"),
             view("m2", "b", "completion_requested", requested="2026-11-02T20:00:00+00:00"),  # 11-03 in China
             view("m3", "c", "completion_requested", region="361003", requested="2026-10-01T01:00:00+00:00"),
             view("m4", "d", "closed_out"), view("m5", "e", "in_progress", returned=2),
             view("m6", "lead", "signed", role="lead")]
    views[0]["measure_id"] = "m6"
    queue = verification_queue(snapshot(views), "361002", TODAY)
    assert [(r["unit"], r["days_waiting"]) for r in queue["rows"]] == [("b", 19), ("a", 2)]
    assert queue["total"] == 2 and queue["name"] == "临川区"
    assert queue["rows"][1]["lead_units"] == [{"unit": "lead", "unit_name": "lead名"}]
    city = verification_queue(snapshot(views), "361000", TODAY)
    assert [r["unit"] for r in city["rows"]] == ["c", "b", "a"]
