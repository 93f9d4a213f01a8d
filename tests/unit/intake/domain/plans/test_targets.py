"""Quantitative targets: indicator, comparator, value and unit."""
import pytest

from services.intake.domain.plans.targets import find_targets


def targets(text):
    return [t.to_json() for t in find_targets(text)]


@pytest.mark.parametrize("text, indicator, comparator, value, unit", [
    ("出庭应诉率达95%以上", "出庭应诉率", ">=", 95, "%"),
    ("覆盖率100%", "覆盖率", "=", 100, "%"),
    ("联合执法检查事项占比提高到30%以上。", "联合执法检查事项占比", ">=", 30, "%"),
    ("每人每年接受不少于60学时的业务培训", "业务培训", ">=", 60, "学时"),
    ("每年举办2期法治专题讲座", "法治专题讲座", ">=", 2, "期"),
    ("每年应当举办两期以上法治专题讲座", "法治专题讲座", ">=", 2, "期"),
    ("至少接受一次法治专题培训", "法治专题培训", ">=", 1, "次"),
    ("在24小时内举行新闻发布会", "举行新闻发布会", "<=", 24, "小时"),
    ("办理时限控制在5个工作日以内。", "办理时限", "<=", 5, "个工作日"),
    ("确保复议纠错率不超过15%,", "复议纠错率", "<=", 15, "%"),
    ("抽查比例不低于2.5%。", "抽查比例", ">=", 2.5, "%"),
])
def test_target(text, indicator, comparator, value, unit):
    (found,) = targets(text)
    assert (found["indicator"], found["comparator"], found["value"], found["unit"]) == (
        indicator, comparator, value, unit)
    assert found["text"] in text


def test_two_targets_in_one_sentence_get_their_own_indicators():
    found = targets("满意率达95%以上,司法建议、检察建议按期办复率达100%。")
    assert [(t["indicator"], t["comparator"], t["value"]) for t in found] == [
        ("满意率", ">=", 95), ("司法建议、检察建议按期办复率", ">=", 100)]


@pytest.mark.parametrize("text", ["推行“一次办”", "“最多报一次”改革", "市县乡三级全覆盖", "打造15分钟便民服务圈",
                                  "12345市民服务热线", "2023年底前", "做到“两个维护”", "每年3月1日前报告"])
def test_names_and_dates_are_not_targets(text):
    assert targets(text) == []
