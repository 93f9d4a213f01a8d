"""The documents' Chinese wording: numerals, periods, the issuing office, lists cut to their longest items."""

import pytest

from services.reporting.domain.documents import wording
from services.reporting.domain.documents.layout import chinese_number


def test_heading_numerals():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 19, 20, 21, 99)] == [
        "一", "九", "十", "十一", "十九", "二十", "二十一", "九十九"]
    with pytest.raises(ValueError):
        chinese_number(100)


@pytest.mark.parametrize(("label", "name", "cadence"), [
    ("2026", "2026年度", "year"), ("2026-H2", "2026年下半年", "half"), ("2026-Q1", "2026年第一季度", "quarter"),
    ("2026-03", "2026年3月", "month")])
def test_periods_are_named_as_offices_write_them(label, name, cadence):
    assert (wording.period_name(label), wording.cadence_of(label)) == (name, cadence)


@pytest.mark.parametrize(("code", "name", "level", "issuer"), [
    ("361000", "抚州市", "city", "中共抚州市委全面依法治市委员会办公室"),
    ("361002", "临川区", "county", "中共临川区委全面依法治区委员会办公室"),
    ("361021", "南城县", "county", "中共南城县委全面依法治县委员会办公室"),
    ("361002101", "演示镇", "township", "演示镇人民政府")])
def test_the_issuer_follows_the_regions_level(code, name, level, issuer):
    assert wording.issuer({"region_code": code, "name": name, "level": level}) == issuer


def test_a_long_list_says_how_many_are_left_out():
    assert wording.items_listed(3, "逾期未完成事项") == "共3项逾期未完成事项："
    long = wording.items_listed(wording.ITEMS_LISTED + 1, "逾期未完成事项")
    assert f"共{wording.ITEMS_LISTED + 1}项" in long and f"最长的{wording.ITEMS_LISTED}项" in long


def test_the_ranking_method_is_worded_from_the_rankings_weights():
    assert wording.ranking_method().startswith(
        "综合得分按完成率（30%）、按期完成率（20%）、平均进度（20%）、报送率（15%）、指标达标率（15%）")
    assert wording.percent(None) == "暂无" and wording.percent(12.34) == "12.3%"
