"""Plans that give title, labels and deadline a line each, and 工作要点 titles ended by a colon."""
import pytest

from services.intake.domain.plans.deadlines import find_deadlines
from services.intake.domain.plans.layout import normalize
from services.intake.domain.plans.parser import parse_plan
from services.intake.domain.plans.targets import find_targets

_MEASURE = """{n}.{title}
{body}
牵头单位：{lead}
责任单位：县政府各部门
{label}：{when}
"""
_TITLES = ["自觉接受人大监督", "加强行政复议工作", "加强应诉工作", "自觉接受人大监督和政协民主监督",
           "推进政务公开", "健全依法决策机制"]


def _plan(titles, label="完成时限"):
    whens = ["长期坚持", "2025年底前", "持续推进"] * 2
    measures = "".join(_MEASURE.format(n=n, title=title, body=f"按时办理第{n}类事项，办复率100%。",
                                       lead="县司法局", label=label, when=when)
                       for n, (title, when) in enumerate(zip(titles, whens, strict=False), start=1))
    return "某县法治政府建设实施方案(2021-2025年)\n一、重点任务\n(一)强化行政权力监督\n" + measures


@pytest.mark.parametrize("titles", [_TITLES[:3], _TITLES[1:4], _TITLES[2:], _TITLES[::-1]])
@pytest.mark.parametrize("label", ["完成时限", "时间要求", "完成时间"])
def test_each_label_on_its_own_line_gives_one_pair_and_the_deadline_whatever_the_line_lengths(titles, label):
    measures = parse_plan(_plan(titles, label)).measures
    assert [m.title for m in measures] == titles
    assert all(m.text.startswith("按时办理") for m in measures)
    assert [[p.to_json() for p in m.unit_pairs] for m in measures] == [
        [{"lead": ["县司法局"], "responsible": ["县政府各部门"]}]] * len(titles)
    assert [m.deadlines[0].text for m in measures] == (["长期坚持", "2025年底前", "持续推进"] * 2)[:len(titles)]


def test_fixed_width_text_is_still_joined():
    body = "严格落实行政执法公示执法全过程记录重大执法决定法制审核制度" * 4
    lines = [body[i:i + 24] for i in range(0, len(body), 24)]
    text = "某县法治政府建设实施方案\n一、重点任务\n1.落实三项制度。" + "\n".join(lines) + "。\n牵头单位:县司法局\n"
    measure = parse_plan(text).measures[0]
    assert body in measure.text


@pytest.mark.parametrize("line, title, text", [
    ("2.推进执法证件管理：每月更新执法人员信息库，持续推进。", "推进执法证件管理", "每月更新执法人员信息库,持续推进。"),
    ("4.加强行政执法协调监督：\n健全监督工作体系。", "加强行政执法协调监督", "健全监督工作体系。"),
    ("1.落实领导干部学法制度：市政府常务会议每年学法不少于4次，2024年6月30日前制定计划。",
     "落实领导干部学法制度", "市政府常务会议每年学法不少于4次,2024年6月30日前制定计划。"),
])
def test_a_title_ended_by_a_colon(line, title, text):
    plan = f"某区2024年法治政府建设工作要点\n一、主要任务\n{line}（牵头单位：区司法局；责任单位：区直各部门）\n"
    measure = parse_plan(plan).measures[0]
    assert (measure.title, measure.text) == (title, text)


def test_a_bare_持续_is_no_deadline():
    assert [d.text for d in find_deadlines("每月更新执法人员信息库,持续。推进。")] == ["每月"]


@pytest.mark.parametrize("text, indicator", [
    ("2024年9月底前赋权事项评估完成率100%。", "赋权事项评估完成率"),
    ("到2025年行政复议纠错率达到95%。", "行政复议纠错率"),
    ("2024年第三季度培训合格率达到98%。", "培训合格率"),
])
def test_an_indicator_carries_no_date(text, indicator):
    assert [t.indicator for t in find_targets(text)] == [indicator]


@pytest.mark.parametrize("note", ["注：各单位每季度末向县委依法治县办报送进展情况。", "备注:本表由县司法局负责解释。",
                                  "说明：完成时限为最迟时间"])
def test_a_note_after_the_last_measure_is_a_note_of_the_document(note):
    text = ("某县重点任务分工表\n一、推进政府职能转变\n"
            "5.加强执法监督。每半年通报一次执法监督情况。(牵头单位:县司法局;责任单位:各乡镇人民政府)\n" + note)
    plan = parse_plan(text)
    assert plan.measures[-1].text == "每半年通报一次执法监督情况。"
    assert plan.notes == [f"note of the document: {normalize(note)}"]


def test_lines_joined_on_a_thin_majority_of_one_width_leave_the_measures_unsure():
    body = "严格落实行政执法公示执法全过程记录重大执法决定法制审核制度" * 6
    wrapped = [body[i:i + 24] for i in range(0, 24 * 6, 24)]  # 6 lines of the width
    others = ["按时办理人大代表建议和政协委员提案，办复率100%。", "行政机关负责人出庭应诉率达95%以上，纠错率保持合理。",
              "每人每年参加法律知识培训不少于60学时，每年举办两期执法人员培训班。"]  # 3 lines of other lengths
    text = ("某县法治政府建设实施方案\n一、重点任务\n1.落实三项制度。\n" + "\n".join(wrapped) + "。\n"
            + "\n".join(others) + "\n牵头单位:县司法局\n")
    plan = parse_plan(text)
    assert plan.notes == ["lines joined as text wrapped at 25 characters, though only 78% of the long lines have "
                          "that length: check titles and unit lists"]
    assert [m.confidence for m in plan.measures] == ["medium"]
