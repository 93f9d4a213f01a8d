from datetime import date

from services.alerts.domain.overdue import overdue

DUE_END_OF_JUNE = [{"text": "2026年6月底前", "date": "2026-06-30", "recurrence": None}]
YEARLY_1_MARCH = [{"text": "每年3月1日前", "date": "2023-03-01", "recurrence": "yearly"}]


def test_on_the_day_of_the_deadline_nothing_is_overdue_yet():
    assert overdue(DUE_END_OF_JUNE, "in_progress", date(2026, 6, 30)) is None


def test_the_day_after_the_deadline_an_unfinished_assignment_is_one_day_overdue():
    late = overdue(DUE_END_OF_JUNE, "in_progress", date(2026, 7, 1))
    assert (late.due, late.days_overdue, late.deadline_text) == (date(2026, 6, 30), 1, "2026年6月底前")


def test_a_completed_assignment_is_never_overdue():
    assert overdue(DUE_END_OF_JUNE, "completed", date(2026, 12, 1)) is None


def test_a_yearly_deadline_falls_due_every_year_and_the_latest_passed_one_counts():
    assert overdue(YEARLY_1_MARCH, "in_progress", date(2026, 3, 2)).due == date(2026, 3, 1)
    assert overdue(YEARLY_1_MARCH, "in_progress", date(2026, 3, 1)).due == date(2025, 3, 1)
    assert overdue(YEARLY_1_MARCH, "in_progress", date(2026, 12, 31)).due == date(2026, 3, 1)


def test_a_yearly_deadline_is_not_due_before_its_first_occurrence():
    assert overdue(YEARLY_1_MARCH, "not_started", date(2023, 2, 28)) is None


def test_a_deadline_without_a_date_is_never_overdue():
    assert overdue([{"text": "持续推进", "date": None}], "not_started", date(2030, 1, 1)) is None
