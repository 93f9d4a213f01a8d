"""Every measure of the three real plans against expectations written down by reading them."""
import pytest

from services.intake.domain.plans.parser import parse_plan
from tests.unit.intake.domain.plans.plan_test_helpers import PLAN_NAMES, expected, measure_differences, sample_text


@pytest.mark.parametrize("name", PLAN_NAMES)
def test_every_measure_matches_the_reading(name):
    plan = parse_plan(sample_text(name)).to_json()
    want = expected(name)
    assert plan["is_plan"] is True and plan["reason"] is None
    assert plan["start_year"] == want["start_year"]
    problems = measure_differences(plan["measures"], want["measures"])
    assert not problems, f"{name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name, count", [("bazhong-city-2017", 22), ("fuzhou-city-2022", 26),
                                         ("tongan-district-2022", 29)])
def test_general_requirements_are_not_measures(name, count):
    measures = parse_plan(sample_text(name)).measures
    assert len(measures) == count
    titles = {m.title for m in measures}
    assert not titles & {"指导思想", "主要原则", "主要目标", "总体目标", "加强党的领导", "定期督察考核"}


def test_text_leaves_out_unit_blocks_and_closing_remarks():
    fuzhou = parse_plan(sample_text("fuzhou-city-2022")).measures
    assert all("牵头单位" not in m.text and "责任单位" not in m.text for m in fuzhou)
    # measure 3 lost a closing bracket: the sentence after the run-on unit list stays in the text
    assert "商会意见。加强和改进反垄断与反不正当竞争执法。依法平等保护" in fuzhou[2].text
    tongan = parse_plan(sample_text("tongan-district-2022")).measures
    assert "\n加强行政执法队伍和行政复议工作队伍" in tongan[27].text  # second paragraph kept
    assert "全面准确贯彻方案精神" not in tongan[-1].text and "扫一扫" not in tongan[-1].text
