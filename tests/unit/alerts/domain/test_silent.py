"""Quarterly reports, due by the quarter's end plus 10 days: the first quarter's by 10 April."""

from datetime import date

from services.alerts.domain.alerts import Kind, Severity
from services.alerts.domain.rules import AlertRules
from services.alerts.domain.silent import silent
from tests.unit.alerts.builders import RULES, assignment, schedule


def quiet(today, rules=RULES, start="2025-01-01", published_at=None, **state):
    extra = {"published_at": published_at} if published_at else {}
    return silent(schedule(start=start, **extra), assignment(**state), today, rules)


LAST_QUARTER = {"reported_at": "2026-01-05T02:00:00+00:00", "period": "2025-Q4"}


def test_within_the_grace_window_a_unit_is_not_silent_and_the_day_after_it_is():
    assert quiet(date(2026, 4, 10), **LAST_QUARTER) is None
    alert = quiet(date(2026, 4, 11), **LAST_QUARTER)
    assert (alert.kind, alert.severity) == (Kind.SILENT, Severity.WARNING)
    assert alert.figures == {"period": "2026-Q1", "due_by": "2026-04-10", "days_late": 1, "missed_periods": 1,
                             "last_reported_at": "2026-01-05", "last_period": "2025-Q4"}
    assert alert.reason == ("2026年第1季度进展未报送（应于 2026-04-10 前报送，已逾 1 天），"
                            "最近一次报送 2026-01-05（2025-Q4）")


def test_a_late_report_for_the_closed_period_within_the_window_counts():
    assert quiet(date(2026, 4, 11), reported_at="2026-04-08T02:00:00+00:00", period="2026-Q1") is None


def test_a_report_counts_for_no_period_after_the_one_it_was_sent_in():
    whole_year_in_march = {"reported_at": "2026-03-20T02:00:00+00:00", "period": "2026"}
    assert quiet(date(2026, 4, 11), **whole_year_in_march) is None
    assert quiet(date(2026, 7, 11), **whole_year_in_march).figures["period"] == "2026-Q2"


def test_a_report_sent_after_the_window_for_an_older_period_does_not_cover_the_due_one():
    alert = quiet(date(2026, 4, 20), reported_at="2026-04-15T02:00:00+00:00", period="2025-Q4")
    assert alert.figures["period"] == "2026-Q1"


def test_never_reporting_counts_every_period_since_the_start_and_is_critical():
    alert = quiet(date(2026, 4, 11))
    assert (alert.severity, alert.figures["missed_periods"]) == (Severity.CRITICAL, 5)
    assert alert.reason.endswith("从未报送进展，已连续 5 个周期未报送")


def test_two_periods_in_a_row_are_critical():
    alert = quiet(date(2026, 4, 11), reported_at="2025-10-05T02:00:00+00:00", period="2025-Q3")
    assert (alert.severity, alert.figures["missed_periods"]) == (Severity.CRITICAL, 2)


def test_a_measure_starting_after_the_due_period_owes_no_report_yet():
    assert quiet(date(2026, 4, 10), start="2026-02-01") is None
    assert quiet(date(2026, 4, 11), start="2026-02-01").figures["missed_periods"] == 1
    assert quiet(date(2026, 4, 11), start="2026-04-01") is None


def test_without_a_start_date_reporting_starts_at_publication_or_only_the_due_period_is_known():
    assert quiet(date(2026, 4, 11), start=None, published_at="2026-04-02T00:00:00+00:00") is None
    assert quiet(date(2026, 4, 11), start=None, published_at="2025-06-02T00:00:00+00:00").figures[
        "missed_periods"] == 4
    assert quiet(date(2026, 4, 11), start=None).figures["missed_periods"] == 1


def test_a_completed_assignment_is_never_silent():
    assert quiet(date(2027, 1, 1), status="completed", percent=100, **LAST_QUARTER) is None


def test_monthly_reporting_and_its_own_grace_window():
    monthly = AlertRules(reporting_cadence="monthly", silent_grace_days=5)
    january = {"reported_at": "2026-02-03T02:00:00+00:00", "period": "2026-01"}
    assert quiet(date(2026, 3, 5), rules=monthly, **january) is None
    alert = quiet(date(2026, 3, 6), rules=monthly, **january)
    assert (alert.figures["period"], alert.figures["due_by"]) == ("2026-02", "2026-03-05")
    assert alert.reason.startswith("2026年2月进展未报送")


def test_without_grace_the_report_is_late_the_day_after_the_period():
    rules = AlertRules(silent_grace_days=0)
    assert quiet(date(2026, 3, 31), rules=rules, **LAST_QUARTER) is None
    assert quiet(date(2026, 4, 1), rules=rules, **LAST_QUARTER).figures["due_by"] == "2026-03-31"
