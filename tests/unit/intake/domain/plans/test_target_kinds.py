"""Targets by kind, on real plan text: every target of the three real plans (deploy/demo/plans, copies of
../shared/samples/plans) and of the plan-text corpus (tests/data/plans, site-extraction-county-2022 among them)
comes out with the kind it is judged by — a rate, share or coverage and a time limit must hold whenever reported,
a count and an amount accumulate (services/intake/domain/plans/targets.py)."""
from pathlib import Path

import pytest

from services.intake.domain.plans.parser import parse_plan
from services.intake.domain.plans.targets import find_targets
from tests.unit.intake.domain.plans.plan_test_helpers import PLAN_NAMES, sample_text

CORPUS = Path(__file__).resolve().parents[4] / "data" / "plans"

# Every target the parser finds in those plans, by (plan, indicator): the kind a reader of the plan gives it.
KINDS = {
    ("fuzhou-city-2022", "“双随机”监管事项覆盖率"): "rate",
    ("fuzhou-city-2022", "联合执法检查事项占比"): "rate",
    ("fuzhou-city-2022", "发布权威信息"): "time_limit",  # 5小时内发布权威信息
    ("fuzhou-city-2022", "举行新闻发布会"): "time_limit",  # 24小时内举行新闻发布会
    ("fuzhou-city-2022", "行政机关负责人出庭应诉率"): "rate",
    ("fuzhou-city-2022", "办理人大代表建议、政协提案的满意率"): "rate",
    ("fuzhou-city-2022", "司法建议、检察建议按期办复率"): "rate",
    ("fuzhou-city-2022", "符合法定条件要求的依申请公开政府信息的答复率"): "rate",
    ("fuzhou-city-2022", "政府领导班子法治专题讲座"): "count",  # 每年举办2期
    ("fuzhou-city-2022", "政府及其部门领导班子成员旁听人民法院庭审活动"): "count",  # 至少…1次
    ("fuzhou-city-2022", "法治专题脱产培训"): "count",  # 至少接受一次
    ("tongan-district-2022", "法治专题讲座"): "count",  # 每年应当举办两期以上
    ("tongan-district-2022", "业务知识和法律法规培训"): "amount",  # 不少于60学时
    ("annual-arrangement-quarterly", "区政府常务会议审议事项合法性审核率"): "rate",
    ("annual-arrangement-quarterly", "行政复议案件按期办结率"): "rate",
    ("gongzuo-yaodian-arabic-only", "县政府常务会议法律顾问列席率"): "rate",
    ("gongzuo-yaodian-arabic-only", "执法人员年度培训时间"): "amount",  # 不少于60学时
    ("gongzuo-yaodian-arabic-only", "办复率"): "rate",
    ("lettered-sections", "政务服务事项网上可办率"): "rate",
    ("mixed-dun-and-dot-numbering", "涉企检查事项压减"): "amount",  # cut BY 30%: a change to reach, not a level
    ("mixed-dun-and-dot-numbering", "重大行政决策事项听证率"): "rate",
    ("pdf-28-columns", "政务服务事项网上可办率"): "rate",
    ("pdf-28-columns", "清单公布率"): "rate",
    ("pdf-28-columns", "规范性文件备案审查率"): "rate",
    ("pdf-28-columns", "依申请公开答复率"): "rate",
    ("plan-units-and-deadline-one-clause", "决策事项合法性审查率"): "rate",
    ("plan-units-and-deadline-one-clause", "全区执法人员持证率"): "rate",
    ("site-copy-second-site", "企业开办时间压缩至"): "time_limit",  # 压缩至1个工作日以内
    ("site-copy-second-site", "重大行政决策合法性审查率"): "rate",
    ("site-extraction-county-2022", "权责清单公布率"): "rate",
    ("site-extraction-county-2022", "抽查事项覆盖率"): "rate",
    ("site-extraction-county-2022", "行政规范性文件合法性审核率"): "rate",
    ("site-extraction-county-2022", "县政府各部门法律顾问覆盖率"): "rate",
    ("site-extraction-county-2022", "重大执法决定法制审核率"): "rate",
    ("site-extraction-county-2022", "行政复议案件按期办结率"): "rate",
    ("site-extraction-county-2022", "被诉行政机关负责人出庭应诉率"): "rate",
    ("site-extraction-county-2022", "依申请公开答复率"): "rate",
    ("trailing-duty-table", "涉企检查事项压减"): "amount",
    ("trailing-duty-table", "案卷优良率"): "rate",
}


def plan_texts() -> dict[str, str]:
    texts = {name: sample_text(name) for name in PLAN_NAMES}
    texts.update({path.stem: path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt"))})
    return texts


def test_every_target_of_the_real_plans_carries_the_kind_it_is_judged_by():
    found = {(name, target.indicator): target.kind for name, text in plan_texts().items()
             for measure in parse_plan(text).measures for target in measure.targets}
    assert found == KINDS
    assert sorted(set(found.values())) == ["amount", "count", "rate", "time_limit"]


@pytest.mark.parametrize("text, kind", [
    ("行政复议案件按期办结率达到95%以上", "rate"),
    ("实现政务服务事项100%覆盖", "rate"),
    ("败诉率降低到5%以下", "rate"),  # a level to get down TO
    ("行政执法案卷评查比例不低于2.5%", "rate"),
    ("群众满意度提升20%", "amount"),  # a rise BY a share
    ("压减30%的涉企检查事项", "amount"),  # …whichever side the indicator is on
    ("办理时限控制在5个工作日以内", "time_limit"),
    ("征求意见时间不少于30日", "time_limit"),  # each consultation runs at least 30 days
    ("每人每年参加培训不少于10天", "amount"),  # days that add up over the year
    ("每年开展2次以上专项检查", "count"),
    ("培训不少于40课时", "amount"),
])
def test_a_target_is_told_by_its_unit_its_wording_and_its_frequency(text, kind):
    (target,) = find_targets(text)
    assert target.kind == kind
