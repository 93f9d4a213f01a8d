import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from shared.domain.calendar import (
    CHINA,
    DAY_SPAN,
    EARLIEST_REPORT,
    LATEST_QUERY_DAY,
    ReportWindow,
    add_months,
    china_time,
    due_period,
    label_end,
    local_date,
    period_label,
)


@pytest.mark.parametrize("at, shown", [
    (datetime(2026, 12, 1, 8, 5, tzinfo=UTC), "2026-12-01 16:05"),            # people read Beijing's clock
    (datetime(2026, 12, 1, 16, 5, 59, tzinfo=CHINA), "2026-12-01 16:05"),     # to the minute
    (datetime(2026, 11, 30, 20, 30), "2026-12-01 04:30"),                     # naive: UTC, the next China day
    (datetime(9, 1, 1, tzinfo=UTC), "0009-01-01 08:00"),                      # the year keeps its four digits
    (datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-8))), "9999-12-31 23:00 (-0800)"),
])
def test_a_time_for_people_is_china_time_to_the_minute(at: datetime, shown: str) -> None:
    assert china_time(at) == shown


@pytest.mark.parametrize("day, months, expected", [
    (date(2024, 2, 29), 12, date(2025, 2, 28)),   # 29 February in a common year: its month's end
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2026, 3, 31), 3, date(2026, 6, 30)),    # a month's end stays a month's end
    (date(2026, 6, 30), 3, date(2026, 9, 30)),
    (date(2026, 9, 30), 3, date(2026, 12, 31)),
    (date(2026, 1, 30), 1, date(2026, 2, 28)),    # a day February lacks: its end
    (date(2026, 3, 1), -12, date(2025, 3, 1)),
    (date(2026, 12, 31), 1, date(2027, 1, 31)),
])
def test_adding_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("label, end", [
    ("2026", date(2026, 12, 31)), ("2026-H1", date(2026, 6, 30)), ("2026-H2", date(2026, 12, 31)),
    ("2026-Q1", date(2026, 3, 31)), ("2026-Q4", date(2026, 12, 31)), ("2024-02", date(2024, 2, 29)),
    ("2026-10", date(2026, 10, 31)), (None, None), ("soon", None),
])
def test_the_end_of_a_reported_period(label, end):
    assert label_end(label) == end


@pytest.mark.parametrize("today, months, grace, expected", [
    (date(2026, 4, 10), 3, 10, "2025-Q4"),  # the grace window's last day: the first quarter is not due yet
    (date(2026, 4, 11), 3, 10, "2026-Q1"),
    (date(2026, 3, 31), 3, 0, "2025-Q4"),
    (date(2026, 4, 1), 3, 0, "2026-Q1"),
    (date(2026, 1, 10), 3, 10, "2025-Q3"),
    (date(2026, 1, 11), 3, 10, "2025-Q4"),  # across the year end
    (date(2026, 3, 10), 1, 10, "2026-01"),  # February's window runs to 10 March…
    (date(2024, 3, 11), 1, 10, "2024-02"),  # …and on 11 March February (29 days in 2024) is due
])
def test_the_period_whose_report_is_due(today, months, grace, expected):
    assert period_label(due_period(today, months, grace), months) == expected


def test_times_are_read_as_days_in_china():
    assert local_date("2026-04-10T17:00:00+00:00") == date(2026, 4, 11)
    assert local_date("2026-04-10T15:59:59+00:00") == date(2026, 4, 10)
    assert local_date("2026-04-10") == date(2026, 4, 10)
    assert local_date(None) is None


def test_the_report_window_refuses_times_before_the_plan_or_after_now_plus_skew() -> None:


    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    window = ReportWindow(date(2021, 1, 1), now=now, skew=timedelta(minutes=10))
    assert window.refusal(now + timedelta(minutes=9)) is None
    assert window.refusal(datetime(2021, 1, 1, tzinfo=CHINA)) is None
    assert window.refusal(now + timedelta(minutes=11)) == (
        "reported_at 2026-11-30 20:11 晚于当前时间（填报时间范围：2021-01-01 00:00 至 2026-11-30 20:10，北京时间）")
    assert "9999-12-31 23:59 (-0800) 晚于当前时间" in window.refusal(
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-8))))
    assert "2020-12-31 23:59 早于方案开始时间" in window.refusal(datetime(2020, 12, 31, 23, 59, tzinfo=CHINA))
    assert "填报时间 0001-01-01 08:00 早于方案开始时间" in window.refusal(datetime(1, 1, 1, tzinfo=UTC), "填报时间")
    # Without a plan start, the floor holds.
    assert ReportWindow(now=now).refusal(datetime(1999, 12, 31, tzinfo=UTC)) is not None


def test_a_period_is_reportable_once_it_has_begun_and_not_before_the_window() -> None:


    window = ReportWindow(date(2021, 1, 1), now=datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert [window.period_refusal(p) is None for p in ("2026", "2026-H2", "2026-Q4", "2026-11", "2021-01")] == [
        True] * 5
    assert all(window.period_refusal(p) for p in ("2026-12", "2027", "9999-Q1", "2020-H2", "0001"))


def test_the_pattern_of_a_day_states_the_same_span_as_its_bounds():
    # JSON Schema has no minimum for a date: the OpenAPI documents carry the span as a pattern on the ISO text (the
    # fuzz run sent as_of=0156-06-29, valid by the document, refused by the route).
    pattern = re.compile(DAY_SPAN["json_schema_extra"]["pattern"])
    assert (DAY_SPAN["ge"], DAY_SPAN["le"]) == (EARLIEST_REPORT, LATEST_QUERY_DAY)
    for day in (EARLIEST_REPORT, LATEST_QUERY_DAY, date(2026, 12, 1)):
        assert pattern.match(day.isoformat())
    for day in (EARLIEST_REPORT - timedelta(days=1), LATEST_QUERY_DAY + timedelta(days=1), date(156, 6, 29)):
        assert not pattern.match(day.isoformat())
