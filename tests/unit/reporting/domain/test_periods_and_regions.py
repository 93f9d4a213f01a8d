from datetime import date

import pytest

from services.reporting.domain.periods import period_of
from services.reporting.domain.regions import child_of
from shared.domain.calendar import add_months


@pytest.mark.parametrize(("cadence", "label", "start", "end"), [
    ("month", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("quarter", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("half", "2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
    ("year", "2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_the_period_a_day_falls_in_is_labelled_as_reports_label_theirs(cadence, label, start, end):
    period = period_of(date(2026, 2, 14), cadence)
    assert (period.label, period.start, period.end) == (label, start, end)
    assert period_of(date(2026, 12, 31), cadence).end == date(2026, 12, 31)


@pytest.mark.parametrize(("cadence", "on"), [
    ("month", {"2026-09", "2026-Q3"}),
    ("quarter", {"2026-07", "2026-09", "2026-Q3"}),
    ("half", {"2026-07", "2026-09", "2026-Q3", "2026-Q4", "2026-H2", "2026"}),
    ("year", {"2026-01", "2026-07", "2026-09", "2026-Q3", "2026-Q4", "2026-H2", "2026"}),
])
def test_a_report_is_on_the_period_its_own_period_ends_in(cadence, on):
    period = period_of(date(2026, 9, 14), cadence)
    labels = ["2026-01", "2026-07", "2026-09", "2026-Q3", "2026-Q4", "2026-H2", "2026", "2025-Q3", "2026-13", None]
    assert {label for label in labels if period.reported_on([label])} == on
    assert not period.reported_on([])


def test_a_month_end_stays_a_month_end():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 31), 3) == date(2026, 6, 30)
    assert add_months(date(2026, 6, 30), 3) == date(2026, 9, 30)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


@pytest.mark.parametrize(("parent", "code", "child"), [
    ("361000", "361002", "361002"), ("361000", "361002101", "361002"), ("361000", "361071", "361071"),
    ("361000", "361000", None), ("361000", "362002", None),
    ("361002", "361002101", "361002101"), ("361002", "361002", None), ("361002", "361003101", None),
    ("361002101", "361002101", None), ("360000", "361002101", "361000"),
])
def test_the_child_a_code_lies_in_is_read_off_the_code(parent, code, child):
    assert child_of(parent, code) == child
