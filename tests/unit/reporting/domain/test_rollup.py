"""The figures: what each count means, and that a region's figures add up at every level."""

from dataclasses import astuple, fields
from datetime import UTC, date, datetime, timedelta

import pytest

from services.reporting.domain.flags import Flag, flagged_on
from services.reporting.domain.periods import period_of
from services.reporting.domain.rollup import Tally, evaluate, group, region_rollup, tally
from services.reporting.domain.snapshot import Snapshot
from shared.domain.calendar import CHINA
from shared.domain.regions import within
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
         values=None, loop="closed out when completed") -> dict:
    """An assignment's view; a completed one closed out (verified) unless `loop` says otherwise."""
    if loop == "closed out when completed":
        loop = "closed_out" if status == "completed" else "in_progress"
    return {"measure_id": measure, "unit": unit, "unit_name": unit, "role": "responsible", "region_code": region,
            "status": status, "percent_complete": percent, "reported_at": reported and at(reported),
            "completed_at": at(reported) if status == "completed" and reported else None,
            "indicator_values": values or {}, "loop_state": loop}


def figures(*views: dict) -> Tally:
    return tally(evaluate(views, MEASURES, AS_OF, PERIOD))


def test_statuses_and_the_average_percent_the_units_typed():
    result = figures(view(status="completed", percent=100, reported="2025-06-01"),
                     view(unit="b", status="in_progress", percent=45, reported="2026-10-09"),
                     view(unit="c"), view(unit="d", status="blocked", percent=20, reported="2026-01-05"))
    assert (result.assignments, result.completed, result.in_progress, result.not_started, result.blocked) == (
        4, 1, 1, 1, 1)
    assert result.as_dict()["average_percent_complete"] == 41.2


def opened(day: str, closed: str | None = None, unit="a", measure="m1") -> Flag:
    """An overdue alert episode, opened and cleared at 09:00 in Beijing on those days."""
    when = lambda d: datetime.fromisoformat(f"{d}T09:00:00+08:00")  # noqa: E731
    return Flag("overdue", measure, unit, when(day), closed and when(closed))


def test_overdue_counts_the_alerts_judgement_and_on_time_is_completed_with_no_overdue_alert_open_then():
    flags = [opened("2026-01-01", "2026-01-02", unit="b"),  # completed while overdue, cleared by that report
             opened("2026-01-01", unit="c"),  # still open: overdue, in progress
             opened("2026-03-02", unit="f"),  # completed in 2025, overdue again on a later cycle
             opened("2026-01-01", "2026-01-02", unit="g")]  # overdue once, completed when it was cleared
    completed = lambda unit, day: view(unit=unit, status="completed", percent=100, reported=day)  # noqa: E731
    result = tally(evaluate(
        [completed("a", "2025-12-31"), completed("b", "2026-01-01"),
         view(unit="c", status="in_progress", percent=90, reported="2026-10-01"),
         view(measure="m2", unit="d", status="in_progress", percent=10),  # no alert: not overdue, whatever its dates
         completed("f", "2025-02-20"), {**completed("g", "2026-01-02"), "completed_at": None}],
        MEASURES, AS_OF, PERIOD, flagged_on(flags, AS_OF)))
    assert (result.completed, result.completed_on_time, result.overdue, result.due_or_completed) == (4, 2, 2, 5)
    assert result.on_time_rate == pytest.approx(2 / 5)  # on time among completed or overdue


def test_a_completion_is_on_time_up_to_the_instant_the_overdue_alert_opened():
    alert_opened = datetime(2026, 1, 1, 0, 5, tzinfo=CHINA)  # the morning sweep after a 2025-12-31 deadline
    done = view(status="completed", percent=100)
    flagged = flagged_on([Flag("overdue", "m1", "a", alert_opened, alert_opened + timedelta(hours=9))], AS_OF)
    for completed_at, on_time in ((alert_opened - timedelta(minutes=1), True), (alert_opened, True),
                                  (alert_opened + timedelta(minutes=1), False),
                                  ((alert_opened + timedelta(minutes=1)).isoformat(), False)):
        assert evaluate([{**done, "completed_at": completed_at}], MEASURES, AS_OF, PERIOD, flagged)[0].on_time is (
            on_time), completed_at


def test_the_reporting_rate_counts_units_with_a_report_on_the_current_period_whenever_it_was_sent():
    on = lambda unit, periods, **more: {**view(unit=unit, status="in_progress"), "periods_reported": periods,  # noqa: E731
                                        **more}
    q3 = period_of(date(2026, 9, 30))
    views = [on("a", ["2026-Q2", "2026-Q3"], reported="2026-10-08"),  # on Q3, sent in October: counts for Q3
             on("a", [], measure="m2"),  # the same unit: counted once
             on("b", ["2026-08"]),  # a month of the quarter
             on("c", ["2026-Q4"], reported="2026-09-20"),  # on Q4 (sent early): not on Q3
             on("d", ["2026"]),  # the year: on its last quarter
             {**view(unit="e", status="in_progress", reported="2026-10-02"), "period": "2026-Q3"},  # no list: period
             on("f", ["2026-Q3"], period="2026-Q4")]  # the list, not the current report's period
    assert [f.reported for f in evaluate(views, MEASURES, AS_OF, q3)] == [True, False, True, False, False, True,
                                                                         True]
    assert (tally(evaluate(views, MEASURES, AS_OF, q3)).units, tally(evaluate(views, MEASURES, AS_OF, q3))
            .units_reported) == (6, 4)
    assert [f.unit for f in evaluate(views, MEASURES, AS_OF, PERIOD) if f.reported] == ["c", "d"]  # 2026-Q4
    assert tally(evaluate(views, MEASURES, AS_OF, period_of(AS_OF, "year"))).units_reported == 6
    assert [f.unit for f in evaluate(views, MEASURES, AS_OF, period_of(date(2026, 8, 1), "month"))
            if f.reported] == ["b"]


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
    assert 0 < city_rollup.total.overdue and 0 < city_rollup.total.completed_on_time <= city_rollup.total.completed
    assert 0 < city_rollup.total.units_reported < city_rollup.total.units
    assert 0 < city_rollup.total.lagging < city_rollup.total.assignments
    assert 0 < city_rollup.total.silent < city_rollup.total.assignments
    assert 0 < city_rollup.total.targets_met < city_rollup.total.targets_reported


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
    broken = {"measure_id": "m1", "unit": "broken", "status": "completed"}  # no region: nowhere to count it
    facts = evaluate([broken, view(unit="b", status="in_progress", percent=50)], MEASURES, AS_OF, PERIOD)
    assert [fact.unit for fact in facts] == ["b"]


def test_completed_counts_only_closed_out_and_a_claim_not_verified_awaits_verification():
    result = figures(
        view(status="completed", percent=100, reported="2026-06-01"),  # verified: closed out
        view(unit="b", status="completed", percent=100, reported="2026-06-01", loop="completion_requested"),
        view(unit="c", status="completed", percent=100, reported="2026-06-01", loop=None),  # no loop: a claim
        view(unit="d", status="completed", percent=100, reported="2026-06-01", loop="in_progress"),  # returned
        view(unit="e", status="in_progress", percent=90, reported="2026-06-01", loop="completion_requested"),
        view(unit="f", status="in_progress", percent=90, reported="2026-06-01", loop="closed_out"))
    assert (result.completed, result.awaiting_verification, result.in_progress) == (2, 4, 0)
    assert result.completed + result.awaiting_verification + result.in_progress + result.not_started + \
        result.blocked == result.assignments == 6
    # The completion rate is the closed out share; only a closed-out completion can be on time.
    assert result.as_dict()["completion_rate"] == 33.3
    assert result.completed_on_time == 2 and result.due_or_completed == 2 + result.overdue
