from datetime import date

import pytest

from services.alerts.domain.alerts import Kind, Severity
from services.alerts.domain.overdue import due_soon, overdue
from tests.unit.alerts.builders import RULES, assignment, deadline, schedule

END_OF_JUNE = deadline("2026年6月底前", "2026-06-30")
YEARLY_1_MARCH = deadline("每年3月1日前", "2023-03-01", "yearly")
YEARLY_YEAR_END = deadline("每年年底前", "2022-12-31", "yearly")


def late(*deadlines, today, plan_deadline=None, **state):
    return overdue(schedule(*deadlines, plan_deadline=plan_deadline), assignment(**state), today, RULES)


def soon(*deadlines, today, **state):
    return due_soon(schedule(*deadlines), assignment(**state), today, RULES)


def test_on_the_day_of_the_deadline_nothing_is_overdue_yet():
    assert late(END_OF_JUNE, today=date(2026, 6, 30)) is None


def test_the_day_after_the_deadline_an_unfinished_assignment_is_one_day_overdue_and_says_so():
    alert = late(END_OF_JUNE, today=date(2026, 7, 1), percent=40)
    assert (alert.kind, alert.severity, alert.unit, alert.region_code) == (
        Kind.OVERDUE, Severity.WARNING, "361002.gov", "361002")
    assert alert.reason == "已超过期限“2026年6月底前”(2026-06-30) 1 天，当前进度 40%"
    assert alert.figures == {"deadline": "2026年6月底前", "due": "2026-06-30", "recurrence": None,
                             "days_overdue": 1, "percent_complete": 40, "status": "in_progress"}


def test_overdue_turns_critical_after_the_critical_number_of_days():
    assert late(END_OF_JUNE, today=date(2026, 7, 30)).severity == Severity.WARNING  # 30 days
    assert late(END_OF_JUNE, today=date(2026, 7, 31)).severity == Severity.CRITICAL  # 31 days


def test_a_completed_assignment_is_never_overdue_on_a_one_off_deadline():
    assert late(END_OF_JUNE, today=date(2030, 1, 1), status="completed", completed_at="2026-08-01T00:00:00Z") is None


def test_no_deadline_or_a_deadline_without_date_or_recurrence_is_never_overdue():
    assert late(today=date(2030, 1, 1)) is None
    assert late(deadline("持续推进", None), today=date(2030, 1, 1)) is None


def test_a_yearly_deadline_falls_due_every_year_and_the_latest_passed_one_counts():
    assert late(YEARLY_1_MARCH, today=date(2026, 3, 2)).figures["due"] == "2026-03-01"
    assert late(YEARLY_1_MARCH, today=date(2026, 3, 1)).figures["due"] == "2025-03-01"
    assert late(YEARLY_1_MARCH, today=date(2026, 12, 31)).figures["due"] == "2026-03-01"


def test_a_yearly_deadline_is_not_due_before_its_first_occurrence():
    assert late(YEARLY_1_MARCH, today=date(2023, 3, 1), status="not_started") is None
    assert late(YEARLY_1_MARCH, today=date(2023, 3, 2)).figures["days_overdue"] == 1


def test_a_yearly_deadline_at_the_year_end_rolls_over_on_new_years_day():
    assert late(YEARLY_YEAR_END, today=date(2026, 12, 31)).figures["due"] == "2025-12-31"
    alert = late(YEARLY_YEAR_END, today=date(2027, 1, 1))
    assert (alert.figures["due"], alert.figures["days_overdue"]) == ("2026-12-31", 1)


def test_a_yearly_deadline_on_29_february_falls_on_28_february_in_common_years():
    leap = deadline("每年2月底前", "2024-02-29", "yearly")
    assert late(leap, today=date(2025, 2, 28)).figures["due"] == "2024-02-29"
    assert late(leap, today=date(2025, 3, 1)).figures["due"] == "2025-02-28"
    assert late(leap, today=date(2028, 3, 1)).figures["due"] == "2028-02-29"


@pytest.mark.parametrize("recurrence, first, today, due", [
    ("half-yearly", "2025-06-30", date(2026, 1, 1), "2025-12-31"),
    ("half-yearly", "2025-06-30", date(2025, 12, 31), "2025-06-30"),
    ("quarterly", "2025-03-31", date(2025, 10, 1), "2025-09-30"),
    ("monthly", "2026-01-31", date(2026, 3, 1), "2026-02-28"),
    ("monthly", "2026-01-15", date(2026, 3, 16), "2026-03-15"),
])
def test_other_recurring_deadlines_fall_due_once_per_period(recurrence, first, today, due):
    assert late(deadline("定期", first, recurrence), today=today).figures["due"] == due


def test_an_undated_recurring_deadline_falls_due_at_each_period_end_from_the_measures_start():
    every_quarter = deadline("每季度", None, "quarterly")
    measure_from_mid_february = {"start": "2026-02-15"}
    alert = overdue(schedule(every_quarter, **measure_from_mid_february), assignment(), date(2026, 3, 31), RULES)
    assert alert is None
    alert = overdue(schedule(every_quarter, **measure_from_mid_february), assignment(), date(2026, 4, 1), RULES)
    assert alert.figures["due"] == "2026-03-31"
    assert overdue(schedule(deadline("每年", None, "yearly"), start=None), assignment(), date(2026, 5, 1),
                   RULES).figures["due"] == "2025-12-31"


def test_a_recurring_deadline_is_met_only_by_a_completion_within_its_cycle():
    completed = {"status": "completed", "percent": 100}
    assert late(YEARLY_1_MARCH, today=date(2026, 6, 1), completed_at="2026-02-20T02:00:00Z", **completed) is None
    assert late(YEARLY_1_MARCH, today=date(2026, 6, 1), completed_at="2026-03-05T02:00:00Z", **completed) is None
    last_years = late(YEARLY_1_MARCH, today=date(2026, 3, 2), completed_at="2025-02-20T02:00:00Z", **completed)
    assert last_years.figures["due"] == "2026-03-01"
    # completed on the previous occurrence's day: that occurrence's work, not this one's
    on_the_day = late(YEARLY_1_MARCH, today=date(2026, 3, 2), completed_at="2025-03-01T02:00:00Z", **completed)
    assert on_the_day.figures["due"] == "2026-03-01"


def test_the_latest_missed_deadline_is_the_one_reported():
    alert = late(deadline("2023年底前", "2023-12-31"), deadline("2025年底前", "2025-12-31"), today=date(2026, 6, 1))
    assert (alert.figures["deadline"], alert.figures["due"]) == ("2025年底前", "2025-12-31")


def test_the_plans_deadline_applies_to_measures_naming_no_one_off_deadline():
    plan_end = date(2025, 12, 31)
    assert late(today=date(2026, 1, 1), plan_deadline=plan_end).figures["deadline"] == "实施方案期末(2025年)"
    alert = late(YEARLY_1_MARCH, today=date(2026, 1, 1), plan_deadline=plan_end)
    assert alert.figures["due"] == "2025-12-31"
    assert late(END_OF_JUNE, today=date(2026, 1, 1), plan_deadline=plan_end) is None


def test_due_soon_reminds_from_due_soon_days_before_to_the_deadlines_own_day():
    assert soon(END_OF_JUNE, today=date(2026, 6, 15)) is None  # 15 days ahead
    alert = soon(END_OF_JUNE, today=date(2026, 6, 16))
    assert (alert.kind, alert.severity, alert.figures["days_left"]) == (Kind.DUE_SOON, Severity.INFO, 14)
    assert alert.reason == "期限“2026年6月底前”(2026-06-30) 还有 14 天到期，当前进度 40%"
    assert soon(END_OF_JUNE, today=date(2026, 6, 30)).reason == "期限“2026年6月底前”(2026-06-30) 今天到期，当前进度 40%"
    assert soon(END_OF_JUNE, today=date(2026, 7, 1)) is None  # overdue now


def test_due_soon_skips_what_is_met_and_reminds_again_for_a_recurring_deadlines_next_cycle():
    assert soon(END_OF_JUNE, today=date(2026, 6, 20), status="completed", completed_at="2026-06-01T00:00:00Z") is None
    done_last_year = soon(YEARLY_1_MARCH, today=date(2026, 2, 20), status="completed",
                          completed_at="2025-02-10T00:00:00Z")
    assert done_last_year.figures["due"] == "2026-03-01"
    done_this_year = {"status": "completed", "completed_at": "2026-02-10T00:00:00Z"}
    assert soon(YEARLY_1_MARCH, today=date(2026, 2, 20), **done_this_year) is None
    assert soon(today=date(2026, 2, 20)) is None
