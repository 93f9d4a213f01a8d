"""序时进度 from 2025-01-01 to 2025-07-20 (200 days): on 2025-04-11, 100 days in, it is exactly 50%."""

from datetime import date

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
