"""Deadline phrases to dates and recurrences."""
import pytest

from services.intake.domain.plans.deadlines import find_deadlines


def deadlines(text, year=None):
    return [d.to_json() for d in find_deadlines(text, year)]


@pytest.mark.parametrize("text, date", [
    ("2022年底前完成", "2022-12-31"),
    ("2022年年底前完成", "2022-12-31"),
    ("2023年6月底前建成", "2023-06-30"),
    ("2024年2月底前", "2024-02-29"),
    ("2023年5月20日前报送", "2023-05-20"),
    ("2023年上半年完成", "2023-06-30"),
    ("2023年三季度末前", "2023-09-30"),
    ("到2025年,基本建成", "2025-12-31"),
    ("确保到2017年底", "2017-12-31"),
    ("2025年前实现全覆盖", "2025-12-31"),
])
def test_absolute_deadlines(text, date):
    (found,) = deadlines(text)
    assert found["date"] == date and found["recurrence"] is None


@pytest.mark.parametrize("text", ["2017年6月1日", "巴中市2017年度工作安排", "(2022-2025年)", "2023年13月底前"])
def test_plain_dates_are_not_deadlines(text):
    assert deadlines(text) == []


def test_yearly_date_falls_in_the_plans_first_year():
    assert deadlines("每年3月1日前报告上一年度情况", 2022) == [
        {"text": "每年3月1日前", "date": "2022-03-01", "recurrence": "yearly", "ongoing": False}]
    assert deadlines("每年3月1日前报告", None) == [
        {"text": "每年3月1日前", "date": None, "recurrence": "yearly", "ongoing": False}]


def test_yearly_quarter_and_parts():
    assert deadlines("每年一季度报告", 2017) == [
        {"text": "每年一季度", "date": "2017-03-31", "recurrence": "yearly", "ongoing": False}]
    assert deadlines("每年底前总结", 2021)[0]["date"] == "2021-12-31"


@pytest.mark.parametrize("text, phrase, recurrence", [
    ("每半年通报一次", "每半年", "half-yearly"), ("每季度调度", "每季度", "quarterly"),
    ("每月报送", "每月", "monthly"), ("每年举办", "每年", "yearly")])
def test_bare_recurrences(text, phrase, recurrence):
    assert deadlines(text, 2022) == [{"text": phrase, "date": None, "recurrence": recurrence, "ongoing": False}]


def test_repeated_phrase_is_listed_once_in_order():
    text = "2023年底前建成平台,每年一季度报告,政府部门每年一季度报告"
    assert [d["text"] for d in deadlines(text, 2022)] == ["2023年底前", "每年一季度"]


@pytest.mark.parametrize("text, date", [
    ("责任单位:甲、乙;完成时间:2024年6月。", "2024-06-30"),
    ("完成时限:2025年", "2025-12-31"),
    ("时间要求:2023年9月15日", "2023-09-15"),
])
def test_a_labelled_plain_date_is_the_deadline(text, date):
    (found,) = deadlines(text)
    assert found["date"] == date and not found["ongoing"]


@pytest.mark.parametrize("text, wording", [
    ("每季度通报一次办理情况,长期坚持。", "长期坚持"),
    ("完成时间:持续推进", "持续推进"),
    ("完成时限:长期", "长期"),
])
def test_ongoing_wording_is_kept_as_an_ongoing_deadline(text, wording):
    found = [d for d in deadlines(text) if d["ongoing"]]
    assert found == [{"text": wording, "date": None, "recurrence": None, "ongoing": True}]


def test_ongoing_words_inside_a_sentence_are_not_a_deadline():
    assert deadlines("持续推进法治政府建设,长期坚持依法行政") == []
