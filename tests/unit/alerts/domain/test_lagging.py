"""序时进度 from 2025-01-01 to 2025-07-20 (200 days): on 2025-04-11, 100 days in, it is exactly 50%."""

from datetime import date

import pytest

from services.alerts.domain.alerts import Kind, Severity
from services.alerts.domain.lagging import lagging
from services.alerts.domain.rules import AlertRules
from tests.unit.alerts.builders import RULES, assignment, deadline, schedule

DUE = deadline("2025年7月20日前", "2025-07-20")
HALFWAY = date(2025, 4, 11)
COURT = {"text": "出庭应诉率达95%以上", "indicator": "出庭应诉率", "comparator": ">=", "value": 95, "unit": "%"}
LOSSES = {"text": "败诉率控制在5%以下", "indicator": "败诉率", "comparator": "<=", "value": 5, "unit": "%"}


def lag(today=HALFWAY, rules=RULES, deadlines=(DUE,), targets=None, start="2025-01-01", plan_deadline=None,
        **state):
    found = schedule(*deadlines, start=start, targets=targets, plan_deadline=plan_deadline)
    return lagging(found, assignment(**state), today, rules)


def test_exactly_at_the_tolerance_below_expected_progress_is_not_lagging():
    assert lag(percent=35) == []


def test_just_beyond_the_tolerance_is_lagging_with_the_figures_and_the_reason():
    [alert] = lag(percent=34.9)
    assert (alert.kind, alert.severity, alert.subject) == (Kind.LAGGING, Severity.WARNING, "progress")
    assert alert.figures == {"percent_complete": 34.9, "expected_percent": 50.0, "behind_points": 15.1,
                             "tolerance_points": 15, "start_date": "2025-01-01", "deadline": "2025年7月20日前",
                             "due": "2025-07-20"}
    assert alert.reason == ("当前进度 34.9%，低于序时进度 50%（2025-01-01 至期限“2025年7月20日前”(2025-07-20)），"
                            "落后 15.1 个百分点，超过容差 15 个百分点")


def test_lagging_turns_critical_beyond_the_critical_points():
    assert lag(percent=10)[0].severity == Severity.WARNING  # 40 behind
    assert lag(percent=9.9)[0].severity == Severity.CRITICAL


def test_the_tolerance_is_the_plans():
    assert lag(percent=34.9, rules=AlertRules(lagging_tolerance_points=20)) == []


def test_on_the_start_date_nothing_lags_and_on_the_deadline_everything_is_expected():
    assert lag(today=date(2025, 1, 1), percent=0) == []
    assert lag(today=date(2024, 12, 1), percent=0) == []
    [alert] = lag(today=date(2025, 7, 20), percent=84.9)
    assert alert.figures["expected_percent"] == 100
    assert lag(today=date(2025, 7, 20), percent=85) == []


def test_after_the_deadline_it_is_overdue_not_lagging():
    assert lag(today=date(2025, 7, 21), percent=0) == []


def test_without_a_start_date_or_a_one_off_deadline_or_once_completed_nothing_lags():
    assert lag(start=None, percent=0) == []
    assert lag(deadlines=(), percent=0) == []
    assert lag(deadlines=(deadline("每年3月1日前", "2025-03-01", "yearly"),), percent=0) == []
    assert lag(status="completed", percent=0, completed_at="2025-04-01T00:00:00Z") == []


def test_the_plans_deadline_gives_measures_without_one_a_progress_curve():
    [alert] = lag(deadlines=(), plan_deadline=date(2025, 7, 20), percent=0)
    assert alert.figures["deadline"] == "实施方案期末(2025年)"


def test_the_latest_one_off_deadline_is_the_one_progress_runs_to():
    [alert] = lag(deadlines=(deadline("2025年3月底前", "2025-03-31"), DUE), percent=0)
    assert alert.figures["due"] == "2025-07-20"


def test_an_indicator_lags_when_below_its_trajectory_from_the_baseline_to_the_target():
    rules = AlertRules(indicator_baselines={"出庭应诉率": 80})  # halfway: 80 + (95 - 80) / 2 = 87.5
    assert lag(rules=rules, targets=[COURT], percent=50, 出庭应诉率=87.5) == []
    [alert] = lag(rules=rules, targets=[COURT], percent=50, 出庭应诉率=85)
    assert (alert.subject, alert.severity, alert.figures["expected_value"], alert.figures["baseline"]) == (
        "indicator:出庭应诉率", Severity.WARNING, 87.5, 80)
    assert alert.reason == "指标“出庭应诉率”当前 85%，低于按序时应达到的 87.5%（目标 >= 95%，期限 2025-07-20）"


def test_without_a_baseline_a_rising_target_starts_from_zero():
    assert lag(targets=[COURT], percent=50, 出庭应诉率=47.5) == []
    assert lag(targets=[COURT], percent=50, 出庭应诉率=47.4)[0].figures["expected_value"] == 47.5


def test_an_indicator_may_fall_short_by_the_tolerance_share_of_its_target():
    rules = AlertRules(indicator_baselines={"出庭应诉率": 80}, indicator_tolerance=0.1)  # 9.5 points
    assert lag(rules=rules, targets=[COURT], percent=50, 出庭应诉率=78) == []
    assert len(lag(rules=rules, targets=[COURT], percent=50, 出庭应诉率=77.9)) == 1


def test_a_falling_target_needs_a_baseline_and_lags_above_its_trajectory():
    assert lag(targets=[LOSSES], percent=50, 败诉率=30) == []
    rules = AlertRules(indicator_baselines={"败诉率": 20})  # halfway: 12.5
    assert lag(rules=rules, targets=[LOSSES], percent=50, 败诉率=12.5) == []
    [alert] = lag(rules=rules, targets=[LOSSES], percent=50, 败诉率=13)
    assert "高于按序时应达到的 12.5%" in alert.reason


def test_exact_targets_and_unreported_indicators_are_not_judged():
    exact = {**COURT, "comparator": "="}
    assert lag(targets=[exact], percent=50, 出庭应诉率=1) == []
    assert lag(targets=[COURT], percent=50) == []


def test_progress_and_each_indicator_lag_separately():
    alerts = lag(targets=[COURT], percent=0, 出庭应诉率=1)
    assert sorted(a.subject for a in alerts) == ["indicator:出庭应诉率", "progress"]


# Alert cases written from the plans' own targets, each with the kind the plan parser gives it
# (tests/unit/intake/domain/plans/test_target_kinds.py): from 2025-01-01 to 2025-07-20, HALFWAY is 50% of the span.
REVIEW = {"text": "行政复议案件按期办结率达到95%以上", "indicator": "行政复议案件按期办结率", "comparator": ">=",
          "value": 95, "unit": "%", "kind": "rate"}  # site-extraction-county-2022
INSPECTIONS = {"text": "“双随机”监管事项覆盖率100%", "indicator": "“双随机”监管事项覆盖率", "comparator": "=",
               "value": 100, "unit": "%", "kind": "rate"}  # fuzhou-city-2022
BRIEFING = {"text": "24小时内举行新闻发布会", "indicator": "举行新闻发布会", "comparator": "<=", "value": 24,
            "unit": "小时", "kind": "time_limit"}  # fuzhou-city-2022
LECTURES = {"text": "每年举办2期政府领导班子法治专题讲座", "indicator": "政府领导班子法治专题讲座",
            "comparator": ">=", "value": 2, "unit": "期", "kind": "count"}  # fuzhou-city-2022
TRAINING = {"text": "不少于60学时的业务知识和法律法规培训", "indicator": "业务知识和法律法规培训",
            "comparator": ">=", "value": 60, "unit": "学时", "kind": "amount"}  # tongan-district-2022
CHECKS_CUT = {"text": "涉企检查事项压减30%以上", "indicator": "涉企检查事项压减", "comparator": ">=", "value": 30,
              "unit": "%", "kind": "amount"}  # mixed-dun-and-dot-numbering


def indicator_lag(target: dict, value: float, **options) -> list:
    return [a for a in lag(targets=[target], percent=100, **{target["indicator"]: value}, **options)
            if a.subject == f"indicator:{target['indicator']}"]


@pytest.mark.parametrize("today", [date(2025, 1, 1), date(2025, 2, 1), HALFWAY, date(2025, 7, 20)])
def test_a_rate_below_its_target_lags_on_any_day_it_is_reported_not_only_late_in_the_span(today):
    # A straight line from 0 to 95% would ask 47.5% halfway, and a unit at 90% would be ahead of it.
    [alert] = indicator_lag(REVIEW, 90, today=today)
    assert (alert.kind, alert.severity) == (Kind.LAGGING, Severity.WARNING)
    assert alert.figures == {"indicator": "行政复议案件按期办结率", "kind": "rate", "value": 90, "comparator": ">=",
                             "target": 95, "unit": "%", "tolerance": 0, "due": "2025-07-20"}
    assert alert.reason == "指标“行政复议案件按期办结率”当前 90%，未达到目标 >= 95%（比率类指标每次报送均须达到）"
    assert indicator_lag(REVIEW, 95, today=today) == []


def test_a_rate_is_not_judged_before_the_start_after_the_deadline_or_once_completed():
    assert indicator_lag(REVIEW, 90, today=date(2024, 12, 31)) == []
    assert indicator_lag(REVIEW, 90, today=date(2025, 7, 21)) == []  # overdue instead
    assert lag(targets=[REVIEW], status="completed", percent=100, 行政复议案件按期办结率=90) == []


def test_a_rate_needs_no_progress_curve_to_be_held_to_its_target():
    assert [a.subject for a in lag(start=None, targets=[REVIEW], percent=0, 行政复议案件按期办结率=90)] == [
        "indicator:行政复议案件按期办结率"]
    assert len(indicator_lag(REVIEW, 90, deadlines=())) == 1


def test_a_coverage_of_100_percent_is_met_only_at_100():
    assert len(indicator_lag(INSPECTIONS, 99)) == 1
    assert indicator_lag(INSPECTIONS, 100) == []


def test_a_time_limit_is_held_whenever_reported():
    [alert] = indicator_lag(BRIEFING, 30, today=date(2025, 1, 2))
    assert alert.reason == "指标“举行新闻发布会”当前 30小时，未达到目标 <= 24小时（时限类指标每次报送均须达到）"
    assert indicator_lag(BRIEFING, 24, today=date(2025, 1, 2)) == []


def test_the_plans_indicator_tolerance_applies_to_a_held_target_too():
    rules = AlertRules(indicator_tolerance=0.05)  # 4.75 points of 95
    assert indicator_lag(REVIEW, 90.25, rules=rules) == []
    assert indicator_lag(REVIEW, 90.2, rules=rules)[0].figures["tolerance"] == 4.75


@pytest.mark.parametrize("target, on_track, behind", [
    (LECTURES, 1, 0.9),  # halfway through, 1 of 2 期 is on track
    (TRAINING, 30, 29),  # 30 of 60 学时
    (CHECKS_CUT, 15, 14),  # cut by 15% of the 30% to cut
])
def test_counts_and_amounts_accumulate_along_their_trajectory(target, on_track, behind):
    assert indicator_lag(target, on_track) == []
    [alert] = indicator_lag(target, behind)
    assert alert.figures["expected_value"] == target["value"] / 2


def test_a_target_published_before_kinds_existed_is_judged_on_a_trajectory_as_it_was():
    old = {key: value for key, value in REVIEW.items() if key != "kind"}
    assert indicator_lag(old, 90) == []  # 47.5% asked halfway
    assert len(indicator_lag(old, 47)) == 1
