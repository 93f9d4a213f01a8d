"""The figures: what each count means, and that a region's figures add up at every level."""

from dataclasses import astuple, fields
from datetime import UTC, date, datetime

import pytest

from services.reporting.domain.periods import period_of
from services.reporting.domain.rollup import Tally, evaluate, group, region_rollup, tally
from services.reporting.domain.snapshot import Snapshot
from shared.regions import within
from tests.unit.reporting.generated import COUNTIES, generate_city

AS_OF = date(2026, 11, 22)
PERIOD = period_of(AS_OF, "quarter")
MEASURES = {
    "m1": {"deadlines": [{"text": "2025年底前", "date": "2025-12-31"}],
           "targets": [{"indicator": "出庭应诉率", "comparator": ">=", "value": 95, "unit": "%"},
                       {"indicator": "培训学时", "comparator": ">=", "value": 60, "unit": "学时"}]},
    "m2": {"deadlines": [{"text": "每年3月1日前", "date": "2027-03-01", "recurrence": "yearly"}], "targets": []},
    "m3": {"deadlines": [], "targets": []},
}


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=3, tzinfo=UTC)


def view(measure="m1", unit="a", region="361002", status="not_started", percent=0.0, reported=None,
         values=None) -> dict:
    return {"measure_id": measure, "unit": unit, "unit_name": unit, "role": "responsible", "region_code": region,
            "status": status, "percent_complete": percent, "reported_at": reported and at(reported),
            "completed_at": at(reported) if status == "completed" and reported else None,
            "indicator_values": values or {}}


def figures(*views: dict) -> Tally:
    return tally(evaluate(views, MEASURES, AS_OF, PERIOD))


def test_statuses_and_the_average_percent_the_units_typed():
    result = figures(view(status="completed", percent=100, reported="2025-06-01"),
                     view(unit="b", status="in_progress", percent=45, reported="2026-10-09"),
                     view(unit="c"), view(unit="d", status="blocked", percent=20, reported="2026-01-05"))
    assert (result.assignments, result.completed, result.in_progress, result.not_started, result.blocked) == (
        4, 1, 1, 1, 1)
    assert result.as_dict()["average_percent_complete"] == 41.2


def test_overdue_is_past_the_first_deadline_and_not_completed_and_on_time_is_done_by_it():
    result = figures(
        view(status="completed", percent=100, reported="2025-12-31"),  # on its deadline's day: on time
        view(unit="b", status="completed", percent=100, reported="2026-01-01"),  # a day late
        view(unit="c", status="in_progress", percent=90, reported="2026-10-01"),  # overdue
        view(measure="m2", unit="d", status="in_progress", percent=10),  # first due 2027-03-01: not yet
        view(measure="m3", unit="e", status="completed", percent=100, reported="2026-05-01"),  # nothing due
    )
    assert (result.completed, result.completed_on_time, result.overdue, result.due_or_completed) == (3, 2, 1, 4)
    assert result.on_time_rate == pytest.approx(2 / 4)  # on time among completed or overdue


def test_a_yearly_deadline_is_met_per_cycle_so_last_years_completion_is_overdue_again():
    yearly = {"deadlines": [{"text": "每年3月1日前", "date": "2024-03-01", "recurrence": "yearly"}], "targets": []}
    done = view(measure="y", status="completed", percent=100, reported="2025-02-20")
    facts = lambda as_of: evaluate([done], {"y": yearly}, as_of, period_of(as_of))  # noqa: E731
    assert [f.overdue for f in facts(date(2025, 3, 2)) + facts(date(2026, 3, 1)) + facts(date(2026, 3, 2))] == [
        False, False, True]
    assert facts(AS_OF)[0].on_time is False  # first due 2024-03-01, completed in 2025


def test_a_deadline_is_met_on_its_own_day_in_china_even_late_in_the_utc_evening():
    late_evening_utc = view(status="completed", percent=100)
    late_evening_utc["completed_at"] = datetime(2025, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 in Beijing
    assert figures(late_evening_utc).completed_on_time == 1
    late_evening_utc["completed_at"] = datetime(2025, 12, 31, 16, 0, tzinfo=UTC)  # 00:00 on 1 January
    assert figures(late_evening_utc).completed_on_time == 0


def test_the_reporting_rate_counts_units_that_reported_in_the_current_period():
    result = figures(view(unit="a", status="in_progress", reported="2026-10-01"),
                     view(measure="m2", unit="a"),  # the same unit: counted once
                     view(unit="b", status="in_progress", reported="2026-09-30"),  # last quarter
                     view(unit="c", status="in_progress", reported="2026-11-23"))  # after the as-of date
    assert (result.units, result.units_reported) == (3, 1)
    assert figures(view(unit="b", reported="2026-09-30")).units_reported == 0
    assert tally(evaluate([view(unit="b", reported="2026-09-30")], MEASURES, AS_OF,
                          period_of(AS_OF, "year"))).units_reported == 1


def test_attainment_counts_targets_with_a_reported_value_and_those_met():
    result = figures(view(values={"出庭应诉率": 96.5, "培训学时": 40}), view(unit="b", values={"出庭应诉率": 90}),
                     view(unit="c"))
    assert (result.targets_reported, result.targets_met) == (3, 1)
    assert result.as_dict()["attainment_rate"] == 33.3


def test_empty_figures_are_zero_and_undefined_rates_are_none_not_errors():
    empty = Tally().as_dict()
    assert empty["assignments"] == 0 and empty["average_percent_complete"] == 0.0
    assert [empty[k] for k in ("completion_rate", "on_time_rate", "reporting_rate", "attainment_rate")] == [None] * 4


def test_a_unit_is_counted_once_per_region_so_disjoint_regions_add_up():
    facts = evaluate([view(region="361002"), view(measure="m2", region="361002"), view(region="361003")],
                     MEASURES, AS_OF, PERIOD)
    leaves = group(facts, lambda fact: (fact.region_code,))
    assert leaves["361002"].units == 1
    assert region_rollup(leaves, "361000").total == tally(facts)


def test_a_region_is_its_own_units_plus_its_children_at_city_county_and_township_level():
    city = generate_city(townships=60, measures=20, assignments=4_000, seed=3)
    views = city.views()
    snapshot = Snapshot(views, {m["_id"]: m for m in city.measures}, city.regions, flags=city.alert_flags(AS_OF))
    evaluation = snapshot.evaluation(AS_OF, "quarter")
    townships = [code for code, region in city.regions.items() if region["level"] == "township"]
    checked = {"city": 0, "county": 0, "township": 0}
    for code in [city.registry["regions"][0]["code"], *COUNTIES, *townships]:
        rollup = region_rollup(evaluation.leaves, code, snapshot.children.get(code, []))
        assert_equal(rollup.total, sum(rollup.children.values(), rollup.own))
        # …and the same as counting every assignment within the region from scratch.
        assert_equal(rollup.total, tally(evaluation.facts_within(code)))
        assert rollup.total.assignments == sum(within(v["region_code"], code) for v in views)
        checked[city.regions[code]["level"]] += 1
    assert checked == {"city": 1, "county": 13, "township": 60}
    city_rollup = region_rollup(evaluation.leaves, "361000", snapshot.children["361000"])
    assert set(city_rollup.children) == set(COUNTIES)
    assert city_rollup.total.assignments == 4_000
    assert 0 < city_rollup.total.overdue and 0 < city_rollup.total.completed_on_time < city_rollup.total.completed
    assert 0 < city_rollup.total.units_reported < city_rollup.total.units
    assert 0 < city_rollup.total.lagging < city_rollup.total.assignments
    assert 0 < city_rollup.total.silent < city_rollup.total.assignments
    assert 0 < city_rollup.total.targets_met < city_rollup.total.targets_reported


def test_overdue_means_what_the_alerts_service_means_on_generated_data():
    # Both services count overdue through shared/deadlines.py; this pins that they agree on generated data.
    from services.alerts.domain.overdue import overdue
    from services.alerts.domain.rules import AlertRules
    from services.alerts.domain.schedule import Schedule

    city = generate_city(townships=13, measures=30, assignments=1_500, seed=5)
    measures = {m["_id"]: m for m in city.measures}
    schedules = {measure_id: Schedule.of(measure) for measure_id, measure in measures.items()}
    views, overdue_seen = city.views(), 0
    for as_of in (date(2023, 3, 1), date(2023, 3, 2), date(2024, 3, 2), date(2025, 1, 1), AS_OF):
        for fact, assignment in zip(evaluate(views, measures, as_of, period_of(as_of)), views, strict=True):
            expected = overdue(schedules[fact.measure_id], assignment, as_of, AlertRules()) is not None
            assert fact.overdue == expected, (fact, as_of)
            overdue_seen += expected and assignment["status"] == "completed"
    assert overdue_seen  # completed, yet overdue again on a recurring deadline's later occurrence


def test_a_region_with_no_assignments_still_lists_the_children_the_registry_names():
    rollup = region_rollup({}, "361000", ["361002", "361003"])
    assert rollup.children == {"361002": Tally(), "361003": Tally()} and rollup.total == Tally()


def assert_equal(actual: Tally, expected: Tally) -> None:
    """Counts exactly; the percent sum up to float addition order."""
    names = [f.name for f in fields(Tally)]
    for name, a, b in zip(names, astuple(actual), astuple(expected), strict=True):
        assert a == pytest.approx(b) if name == "percent_total" else a == b, name


def test_lagging_and_silent_count_the_assignments_the_alerts_service_flags_on_generated_data():
    # The flags are the alerts service's own judgement (generated.py runs its rules); the figures count each
    # flagged assignment once, whatever the number of its alerts (progress and indicators), in every region.
    city = generate_city(townships=13, measures=30, assignments=1_500, seed=5)
    flags = city.alert_flags(AS_OF)
    snapshot = Snapshot(city.views(), {m["_id"]: m for m in city.measures}, city.regions, flags=flags)
    for code in ("361000", "361002", "361002101"):
        report = snapshot.region_report(code, AS_OF)
        for kind in ("lagging", "silent"):
            flagged = {(f.measure_id, f.unit) for f in flags if f.kind == kind}
            expected = sum((v["measure_id"], v["unit"]) in flagged for v in city.views()
                           if within(v["region_code"], code))
            assert report[kind] == expected, (code, kind)
    assert len([f for f in flags if f.kind == "lagging"]) > snapshot.region_report("361000", AS_OF)["lagging"] > 0


def test_an_assignment_no_figure_can_be_made_of_is_left_out_and_the_others_are_counted():
    broken = {**view(unit="broken", status="completed"), "reported_at": datetime(9999, 12, 31, 23, tzinfo=UTC),
              "completed_at": datetime(9999, 12, 31, 23, tzinfo=UTC)}
    facts = evaluate([broken, view(unit="b", status="in_progress", percent=50)], MEASURES, AS_OF, PERIOD)
    assert [fact.unit for fact in facts] == ["b"]
