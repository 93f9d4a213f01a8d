"""Documents that are not plans yield no measures, is_plan False and a reason; plans without units."""
from pathlib import Path

from services.intake.domain.plans.parser import parse_plan

SAMPLES = Path(__file__).parent / "samples"


def test_speech_is_not_a_plan():
    parsed = parse_plan((SAMPLES / "speech.txt").read_text(encoding="utf-8"))
    assert parsed.measures == [] and parsed.is_plan is False
    assert "牵头单位 or 责任单位" in parsed.reason and "speech" in parsed.reason
    assert parsed.to_json() == {"is_plan": False, "reason": parsed.reason, "start_year": None, "notes": [],
                                "measures": []}


def test_notice_is_not_a_plan():
    parsed = parse_plan((SAMPLES / "notice.txt").read_text(encoding="utf-8"))
    assert parsed.measures == [] and parsed.is_plan is False
    assert "no numbered items" in parsed.reason and "notice" in parsed.reason


def test_empty_text_is_not_a_plan():
    parsed = parse_plan(" \n")
    assert parsed.is_plan is False and parsed.reason == "not a plan: the document is empty"


def test_plan_without_units_falls_back_to_task_items():
    text = "\n".join([
        "某县2023年法治政府建设工作要点",
        "一、总体要求",
        "(一)指导思想。坚持以习近平法治思想为指导。",
        "(二)工作目标。到2025年基本建成法治政府。",
        "二、重点任务",
        "(一)深化“放管服”改革。2023年6月底前完成权责清单调整。",
        "(二)加强行政应诉工作。行政机关负责人出庭应诉率达到90%以上。",
        "三、组织保障",
        "(一)加强组织领导。各乡镇每年3月1日前报告上年度工作。",
    ])
    parsed = parse_plan(text)
    assert parsed.is_plan and parsed.start_year == 2023
    assert [(m.number, m.title, m.chapter) for m in parsed.measures] == [
        (1, "深化“放管服”改革", "二、重点任务"), (2, "加强行政应诉工作", "二、重点任务")]
    assert parsed.measures[0].deadlines[0].to_json() == {
        "text": "2023年6月底前", "date": "2023-06-30", "recurrence": None, "ongoing": False}
    assert parsed.measures[1].targets[0].to_json()["comparator"] == ">="
    assert parsed.measures[0].lead_units == [] and parsed.measures[0].unit_pairs == []


def test_plan_of_general_requirements_only_is_not_a_plan():
    parsed = parse_plan("某市法治政府建设实施方案\n一、总体要求\n(一)指导思想。坚持依法行政。")
    assert parsed.is_plan is False and "general requirements" in parsed.reason
