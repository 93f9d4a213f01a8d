"""PDF-extraction damage: page numbers, running headers, lines cut at the page width, "19 ."."""
import re

import pytest

from services.intake.domain.plans import layout
from services.intake.domain.plans.parser import parse_plan
from tests.unit.intake.domain.plans.pdf_damage import damage, full_width
from tests.unit.intake.domain.plans.plan_test_helpers import PLAN_NAMES, expected, measure_differences, sample_text


def _without_space(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("width", [24, 28, 40])
@pytest.mark.parametrize("name", PLAN_NAMES)
def test_damaged_sample_parses_like_the_clean_one(name, width):
    damaged = parse_plan(damage(sample_text(name), width=width)).to_json()
    want = expected(name)["measures"]
    for measure in want:  # damage() writes fuzhou's "1." as "1 ."; number_text keeps that
        measure["number_text"] = re.sub(r"^(\d+)\.$", r"\1 .", measure["number_text"])
    problems = measure_differences(damaged["measures"], want)
    assert not problems, f"{name} cut at {width}:\n" + "\n".join(problems)
    # where a paragraph ended exactly at a full line the break is lost; the words are not
    clean = parse_plan(sample_text(name)).measures
    for got, ref in zip(damaged["measures"], clean, strict=True):
        assert _without_space(got["text"]) == _without_space(ref.text), got["number_text"]


@pytest.mark.parametrize("name", PLAN_NAMES)
def test_full_width_punctuation_gives_the_same_measures(name):
    parsed = parse_plan(full_width(sample_text(name))).to_json()
    problems = measure_differences(parsed["measures"], expected(name)["measures"])
    assert not problems, "\n".join(problems)


# A hand-made extraction: uneven lines (no single page width), a header between pages, page
# numbers alone, glued to text and in the 第N页 form, and numbers written "19 .".
HAND_MADE = """某市法治政府建设实施方案(2023-2025年)
二、任务措施
(七)科学有效制约监督行政权力
19 .加强行政执法协调监督。部署应用行政执法平台,实现市县乡三级全流程在线办案,办案
效能明显提升— 12 —
某市法治政府建设实施方案
-13 -,2024年底前实现全覆盖。(牵头单位:市司法局;责任单位:市直有关部门,各县(区)
政府、某某高新区管委会)
第 13 页
20 .推进政务公开。依申请公开答复率达100%。(牵头单位:市政府办公室;责任单位:各
县(区)政府)
14
某市法治政府建设实施方案
21 .加强政务诚信建设。每年3月1日前报告上一年度政务诚信情况。(牵头单位:市发改委)
某市法治政府建设实施方案
"""


def test_hand_made_extraction():
    parsed = parse_plan(HAND_MADE)
    assert parsed.start_year == 2023
    got = [(m.number, m.number_text, m.title, m.section, m.lead_units, m.responsible_units)
           for m in parsed.measures]
    assert got == [
        (19, "19 .", "加强行政执法协调监督", "(七)科学有效制约监督行政权力", ["市司法局"],
         ["市直有关部门", "各县(区)政府", "某某高新区管委会"]),
        (20, "20 .", "推进政务公开", "(七)科学有效制约监督行政权力", ["市政府办公室"], ["各县(区)政府"]),
        (21, "21 .", "加强政务诚信建设", "(七)科学有效制约监督行政权力", ["市发改委"], []),
    ]
    first = parsed.measures[0]
    assert first.text == "部署应用行政执法平台,实现市县乡三级全流程在线办案,办案效能明显提升,2024年底前实现全覆盖。"
    assert [d.to_json() for d in first.deadlines] == [
        {"text": "2024年底前", "date": "2024-12-31", "recurrence": None, "ongoing": False}]
    assert parsed.measures[1].targets[0].to_json() == {
        "text": "依申请公开答复率达100%", "indicator": "依申请公开答复率", "comparator": ">=",
        "value": 100, "unit": "%", "kind": "rate"}
    assert [d.to_json() for d in parsed.measures[2].deadlines] == [
        {"text": "每年3月1日前", "date": "2023-03-01", "recurrence": "yearly", "ongoing": False}]


@pytest.mark.parametrize("name", ["fuzhou-city-2022", "tongan-district-2022"])
def test_pdf_pages_out_of_order_are_put_back_by_their_page_numbers(name):
    pages = layout.pages(damage(sample_text(name), 28).splitlines())
    assert len(pages) > 8
    pages[4], pages[5] = pages[5], pages[4]
    parsed = parse_plan("\n".join(line for page in pages for line in page))
    want = expected(name)["measures"]
    for measure in want:
        measure["number_text"] = re.sub(r"^(\d+)\.$", r"\1 .", measure["number_text"])
    problems = measure_differences(parsed.to_json()["measures"], want)
    assert not problems, "\n".join(problems)
    assert "pages put back in the order of their page footers" in parsed.notes
