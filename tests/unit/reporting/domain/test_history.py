from datetime import UTC, date, datetime

from services.reporting.domain.history import History, latest_by, month_ends
from tests.unit.reporting.generated import generate_city

TODAY = date(2026, 12, 1)  # the day the histories are asked on


def report(event_id: str, unit: str, at: datetime, percent: float) -> dict:
    return {"_id": event_id, "measure_id": "m1", "unit": unit, "reported_at": at, "percent_complete": percent}


def test_the_state_on_a_day_is_each_assignments_latest_report_by_the_end_of_that_day_in_china():
    early = report("e1", "u1", datetime(2026, 3, 10, tzinfo=UTC), 30)
    # 2026-03-31T17:00Z is already 1 April in Beijing: not part of 31 March's state.
    late_evening = report("e2", "u1", datetime(2026, 3, 31, 17, tzinfo=UTC), 60)
    other = report("e3", "u2", datetime(2026, 3, 31, 15, tzinfo=UTC), 10)  # 23:00 in Beijing: counts
    state = latest_by([late_evening, early, other], date(2026, 3, 31))
    assert {key: r["_id"] for key, r in state.items()} == {"m1|u1": "e1", "m1|u2": "e3"}
    assert latest_by([late_evening, early], date(2026, 4, 1))["m1|u1"]["_id"] == "e2"


def test_reports_at_the_same_instant_are_decided_by_event_id_as_the_tracker_does():
    at = datetime(2026, 3, 10, tzinfo=UTC)
    assert latest_by([report("b", "u1", at, 2), report("a", "u1", at, 1)], date(2026, 3, 10))["m1|u1"]["_id"] == "b"


def test_a_monthly_series_ends_each_month_and_at_the_as_of_day():
    assert month_ends(date(2025, 11, 5), date(2026, 2, 14)) == [
        date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 14)]
    assert month_ends(date(2026, 2, 1), date(2026, 2, 28)) == [date(2026, 2, 28)]


def test_a_history_answers_each_region_on_a_day_as_the_state_of_that_day_does():
    city = generate_city(townships=13, measures=12, assignments=600, seed=4)
    reports = [{**p, "_id": f"e-{p['_id']}"} for p in city.progress]
    history = History(city.assignments, reports, {m["_id"]: m for m in city.measures}, city.regions,
                      city.alert_flags(date(2026, 11, 22)))
    for day in (date(2025, 6, 30), date(2026, 11, 22)):
        state = history.snapshot_on(day)
        for code in ("361000", "361002", "361002101"):
            assert history.region_report(code, day, TODAY) == state.region_report(code, day, today=TODAY)
    earlier, later = (history.region_report("361000", day, TODAY) for day in (date(2025, 6, 30), date(2026, 11, 22)))
    assert earlier["assignments"] == later["assignments"] == 600
    assert earlier["not_started"] > later["not_started"]  # fewer had reported by mid-2025
    assert earlier["lagging"] is None and later["lagging"] > 0  # the alerts were opened on 2026-11-21


def test_before_the_alerts_first_judgement_the_flagged_counts_are_unknown_not_zero():
    city = generate_city(townships=13, measures=12, assignments=300, seed=4)
    reports = [{**p, "_id": f"e-{p['_id']}"} for p in city.progress]
    # Episodes judged on 2026-09-30 only: opened at 00:01 on that day in Beijing (16:01 UTC the day before).
    history = History(city.assignments, reports, {m["_id"]: m for m in city.measures}, city.regions,
                      city.episodes([date(2026, 9, 30)]))
    assert history.first_judgement == datetime(2026, 9, 29, 16, 1, tzinfo=UTC)
    before, judged, after = (history.region_report("361000", day, TODAY)
                             for day in (date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)))
    for report in (before, before["own_units"], *before["children"]):
        assert (report["overdue"], report["lagging"], report["silent"]) == (None, None, None)
    assert before["assignments"] == judged["assignments"] > 0  # only the flags are unknown
    assert judged["lagging"] > 0 and after["lagging"] == 0  # judged then, cleared the next day: known zero
    nothing_flagged = History(city.assignments, reports, {m["_id"]: m for m in city.measures}, city.regions, [])
    assert nothing_flagged.first_judgement is None
    assert nothing_flagged.region_report("361000", date(2026, 11, 22), TODAY)["overdue"] is None
    assert nothing_flagged.region_report("361000", TODAY, TODAY)["overdue"] == 0  # today is always judged


def test_a_past_day_counts_a_completion_as_it_stood_then_awaiting_verification_until_closed_out():
    done = datetime(2026, 5, 10, 2, tzinfo=UTC)  # reported completed, and asked to close, on 10 May
    assignment = {"measure_id": "m1", "unit": "u1", "unit_name": "u1", "role": "responsible", "region_code": "361002",
                  "loop_state": "closed_out", "completion_requested_at": done,
                  "closed_out_at": datetime(2026, 6, 2, 2, tzinfo=UTC)}
    completed = {**report("e1", "u1", done, 100), "status": "completed", "region_code": "361002",
                 "period": "2026", "completed_at": done}
    regions = {"361002": {"code": "361002", "name": "临川区", "level": "county", "parent_code": None}}
    history = History([assignment], [completed], {"m1": {"deadlines": [], "targets": []}}, regions, [])
    stood = {day: history.region_report("361002", day, TODAY) for day in (
        date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30))}
    assert [(r["completed"], r["awaiting_verification"]) for r in stood.values()] == [(0, 0), (0, 1), (1, 0)]
