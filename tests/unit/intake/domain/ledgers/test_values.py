"""Ledger cells in the forms Chinese offices type them, read to the contract's values or refused by name."""

import datetime as dt
import re

import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from services.intake.domain.ledgers.layout import column_of
from services.intake.domain.ledgers.values import (
    LEDGER_ZONE,
    PERCENT_FORMS,
    PERIOD_FORMS,
    TIME_FORMS,
    Percent,
    read_number,
    read_percent,
    read_period,
    read_status,
    read_time,
)

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
AT_TEN = dt.datetime(2026, 10, 9, 10, 0, tzinfo=LEDGER_ZONE)
MIDNIGHT = dt.datetime(2026, 10, 9, tzinfo=LEDGER_ZONE)


@pytest.mark.parametrize(("cell", "meant"), [
    (46304.41666666666, AT_TEN),  # a serial in the 1900 system, with or without a date format
    (dt.datetime(2026, 10, 9, 10, 0), AT_TEN),
    (dt.date(2026, 10, 9), MIDNIGHT),
    ("2026-10-09 10:00", AT_TEN),
    ("2026-10-09T10:00:00+08:00", AT_TEN),
    ("2026-10-09T02:00:00Z", AT_TEN),
    ("2026年10月9日", MIDNIGHT),
    ("2026年10月9号", MIDNIGHT),
    ("２０２６年１０月９日", MIDNIGHT),
    ("2026.10.9", MIDNIGHT),
    ("2026/10/9", MIDNIGHT),
    ("2026/10/9 10:00", AT_TEN),
    ("20261009", MIDNIGHT),
    ("2026年10月9日10时", AT_TEN),
    ("2026年10月9日10点", AT_TEN),
    ("2026年10月9日 10时0分", AT_TEN),
    ("2026年10月9日上午10点", AT_TEN),
    ("2026年10月9日下午3时30分", dt.datetime(2026, 10, 9, 15, 30, tzinfo=LEDGER_ZONE)),
    (" 2026 年 10 月 9 日 ", MIDNIGHT),
])
def test_a_time_in_any_common_form_is_the_moment_meant_in_china_time(cell, meant):
    assert read_time(cell, now=NOW) == meant


def test_a_serial_in_a_1904_workbook_counts_from_1904():
    serial = (dt.datetime(2026, 10, 9, 10) - CALENDAR_MAC_1904) / dt.timedelta(days=1)
    assert read_time(serial, now=NOW, epoch=CALENDAR_MAC_1904) == AT_TEN


@pytest.mark.parametrize(("cell", "reason"), [
    (0.5, "without a date"),  # a serial under 1 is a time of day
    (3.0, "1900-01-03T00:00:00+08:00 is before 2000-01-01"),  # the 1900 / 1970 kind: never a report time
    (25569.0, "1970-01-01T00:00:00+08:00 is before 2000-01-01"),
    ("1970-01-01", "before 2000-01-01"),
    ("2099-01-01", "is in the future"),
    (NOW + dt.timedelta(hours=1), "is in the future"),
    (dt.time(10, 0), "a time of day (10:00:00) without a date"),
    ("10月9日", "is not a date; accepted: an Excel date"),
    ("2026年13月1日", "no such day"),
    ("2026年10月9日25时", "no such time of day"),
    ("下周一", "is not a date"),
    (True, "expected a date"),
    (-3.0, "is neither an Excel date serial"),
])
def test_a_time_that_cannot_be_read_or_is_outside_the_window_is_refused_with_a_reason(cell, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        read_time(cell, now=NOW)


@pytest.mark.parametrize("cell", [20261009, 20261009.0, "20261009"])
def test_an_eight_digit_yyyymmdd_number_or_text_is_that_day(cell):
    assert read_time(cell, now=NOW) == dt.datetime(2026, 10, 9, tzinfo=LEDGER_ZONE)


@pytest.mark.parametrize(("cell", "reason"), [
    (20261309, "2026-13-09 is no such day"),
    (20260230, "2026-02-30 is no such day"),
    (19991231, "is before 2000-01-01"),
    (20991231, "is in the future"),
    (20261009.5, "is neither an Excel date serial nor an 8-digit yyyymmdd date"),
])
def test_an_eight_digit_number_that_is_no_sane_day_is_refused_without_naming_itself_accepted(cell, reason):
    with pytest.raises(ValueError, match=re.escape(reason)) as refused:
        read_time(cell, now=NOW)
    # the refusal may list the form 20261009 as accepted, never the refused value itself
    assert f"accepted: {str(cell)}" not in str(refused.value) and f", {cell}," not in str(refused.value)


def test_a_few_minutes_of_clock_skew_is_not_the_future():
    assert read_time(NOW + dt.timedelta(minutes=5), now=NOW) == NOW + dt.timedelta(minutes=5)


@pytest.mark.parametrize(("cell", "meant"), [
    (85, 85.0), (85.5, 85.5), (0, 0.0), (1, 1.0), (100, 100.0), ("85", 85.0), ("85%", 85.0), ("８５％", 85.0),
    ("85.5 %", 85.5), ("0.5%", 0.5), (Percent(85.0), 85.0), (Percent(0.5), 0.5), ("百分之八十五", 85.0),
    ("百分之一百", 100.0), ("百分之五", 5.0), ("百分之十", 10.0), ("百分之八十五点五", 85.5), ("百分之零", 0.0),
])
def test_a_percent_in_any_common_form_is_what_the_unit_means(cell, meant):
    assert read_percent(cell) == meant


@pytest.mark.parametrize(("cell", "reason"), [
    (0.85, "ambiguous"), ("0.6", "ambiguous"), ("完成一半", "not a percent; accepted: 85, 85%"),
    ("百分之", "not a percent"), ("百分之八十五点", "not a percent"), (False, "expected a percent"),
])
def test_a_percent_that_cannot_be_read_is_refused_with_the_forms_accepted(cell, reason):
    with pytest.raises(ValueError, match=reason):
        read_percent(cell)


@pytest.mark.parametrize(("words", "status"), [
    (("已完成", "完成", "已办结", "办结", "completed", "COMPLETED"), "completed"),
    (("进行中", "推进中", "正在推进", "持续推进", "滞后", " 进行中 "), "in_progress"),
    (("未开始", "未启动", "尚未启动", "not_started"), "not_started"),
    (("受阻", "暂停", "停滞", "搁置"), "blocked"),
])
def test_status_words_and_their_synonyms(words, status):
    assert {read_status(word) for word in words} == {status}


def test_an_unknown_status_word_is_refused_naming_the_words_accepted():
    with pytest.raises(ValueError, match="'有困难' is not a status; accepted: completed: 已完成"):
        read_status("有困难")


@pytest.mark.parametrize(("cell", "period"), [
    (2026, "2026"), (2026.0, "2026"), ("2026", "2026"), ("2026年", "2026"), ("2026年度", "2026"),
    ("2026-Q3", "2026-Q3"), ("2026Q3", "2026-Q3"), ("2026q3", "2026-Q3"), ("2026年第三季度", "2026-Q3"),
    ("2026年三季度", "2026-Q3"), ("2026年第3季度", "2026-Q3"), ("２０２６年第一季度", "2026-Q1"),
    ("2026-H1", "2026-H1"), ("2026年上半年", "2026-H1"), ("2026年下半年", "2026-H2"),
    ("2026-10", "2026-10"), ("2026年10月", "2026-10"), ("2026年1月份", "2026-01"), ("2026.10", "2026-10"),
    (dt.datetime(2026, 10, 1), "2026-10"),  # Excel turned a typed 2026-10 into a date
])
def test_a_period_in_any_common_form_is_the_contracts_period(cell, period):
    assert read_period(cell) == period


@pytest.mark.parametrize("cell", ["2026年第五季度", "2026年13月", "2026-13", "三季度", "2026Q5", 2026.1])
def test_a_period_that_cannot_be_read_is_refused_naming_the_forms(cell):
    with pytest.raises(ValueError, match="not a period"):
        read_period(cell)


def test_indicator_numbers_accept_percent_signs_separators_and_full_width_digits():
    assert [read_number(cell) for cell in (96.5, "96.5%", "1,234", "９６．５")] == [96.5, 96.5, 1234.0, 96.5]
    with pytest.raises(ValueError, match="expected a number"):
        read_number("高")


@pytest.mark.parametrize(("header", "field"), [
    ("牵头单位", "unit"), ("责任单位", "unit"), ("填报单位", "unit"), ("任务编号", "measure_id"),
    ("序号", "measure_id"), ("完成进度（%）", "percent_complete"), ("完成率", "percent_complete"),
    ("进度", "percent_complete"), ("完成\n百分比", "percent_complete"), ("完成情况", "narrative"),
    ("进展情况 narrative", "narrative"), ("报送时间", "reported_at"), ("填报日期", "reported_at"),
    ("报告期", "period"), ("填报周期", "period"), ("*区划代码", "region_code"), ("任务名称", "context"),
    ("备注", "remarks"), ("出庭应诉率（%）", None),
])
def test_header_synonyms(header, field):
    assert column_of(header) == field


def listed_examples(forms: str) -> list[str]:
    """The literal examples an "accepted: ..." message lists ("2026年(度)" is 2026年 and 2026年度); the
    descriptions in words ("an Excel date or time cell") are left out."""
    examples = []
    for item in re.split(r", (?:or )?", forms):
        if re.search(r"[A-Za-z]{3}", item):
            continue
        examples += [re.sub(r"\((.*?)\)", "", item), re.sub(r"\((.*?)\)", r"\1", item)] if "(" in item else [item]
    return list(dict.fromkeys(examples))


@pytest.mark.parametrize(("forms", "read"), [
    (TIME_FORMS, lambda cell: read_time(cell, now=NOW)),
    (PERCENT_FORMS, read_percent),
    (PERIOD_FORMS, read_period),
])
def test_every_form_an_accepted_message_lists_is_accepted(forms, read):
    examples = listed_examples(forms)
    assert len(examples) >= 5
    for example in examples:
        read(example)  # raises if a message lists a form that is refused
        if example.isdigit():
            read(int(example))  # a number cell holding it, too
