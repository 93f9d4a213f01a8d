"""The parser takes any text: it answers a plan or a reason, never an exception."""

from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.domain.plans.parser import parse_plan
from tests.unit.intake.domain.plans.hostile import long_run_of_numbers

# Pieces plans are made of, so generated texts hit the numbering, label and date paths.
PIECES = st.sampled_from([
    "一、", "二、", "十一、", "(一)", "（二）", "(D)", "1.", "2 .", "3、", "(1)", "①", "\n", "。", ",", ";",
    "牵头单位:", "责任单位：", "完成时间:", "完成时限:", "长期坚持", "每年3月1日前", "2024年6月底前", "每季度",
    "达到100%", "不少于60学时", "县司法局", "乡(镇、街道)", "〔", "〕", "- 4 -", "— 3 —", "1、", "2、",
    "文库", "下载", "共18页", "法治政府建设实施方案(2021－2025年)", "十十", "百", "(", ")", "２０２２年"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=60))
def test_any_text_parses_or_is_refused_with_a_reason(pieces):
    plan = parse_plan("".join(pieces))
    assert plan.is_plan == bool(plan.measures)
    assert plan.is_plan or plan.reason
    assert all(m.confidence in ("high", "medium", "low") for m in plan.measures)
    plan.to_json()


def test_a_long_run_of_numbers_is_answered():
    """A hostile run of numbering still gets an answer (how fast: bench/plan_parse.py --numbers)."""
    plan = parse_plan(long_run_of_numbers())
    assert plan.is_plan and all(m.unit_pairs for m in plan.measures)
