"""Numbering styles, Chinese numerals and page furniture."""
import pytest

from services.intake.domain.plans.layout import marker, normalize, paragraphs
from services.intake.domain.plans.numerals import cn_to_int


@pytest.mark.parametrize("line, level, number, written", [
    ("一、总体要求", 1, 1, "一、"),
    ("十、加强党的领导", 1, 10, "十、"),
    ("(一)指导思想", 2, 1, "(一)"),
    ("（二十二）加强法制机构建设", 2, 22, "(二十二)"),
    ("1.优化政府机构职能。", 3, 1, "1."),
    ("19 .加强行政执法协调监督", 3, 19, "19 ."),
    ("２６．树立用人导向", 3, 26, "26."),
    ("3、完善制度", 3, 3, "3、"),
    ("(1)建立台账", 4, 1, "(1)"),
    ("（12）完善机制", 4, 12, "(12)"),
    ("③细化清单", 5, 3, "③"),
])
def test_numbering_styles(line, level, number, written):
    found = marker(normalize(line))
    assert found is not None and found[:3] == (level, number, written)


@pytest.mark.parametrize("line", ["2023年底前完成", "1.5倍", "(区)人民政府", "12345市民服务热线", "十九大精神"])
def test_not_numbering(line):
    assert marker(line) is None


@pytest.mark.parametrize("text, value", [("一", 1), ("十", 10), ("十九", 19), ("二十一", 21), ("三十二", 32),
                                         ("两", 2), ("一百零二", 102)])
def test_cn_to_int(text, value):
    assert cn_to_int(text) == value


def test_page_numbers_go_but_codes_and_dates_stay():
    text = ("索引号:XM05107-30-01-2022-015,成文日期:2022-04-24。\n正文— 12 —继续。\n- 3 -\n"
            "第 4 页 共 9 页\n(2021—2025年)")
    assert paragraphs(text) == ["索引号:XM05107-30-01-2022-015,成文日期:2022-04-24。", "正文继续。",
                                "(2021—2025年)"]


def test_heading_line_stands_alone_and_broken_line_is_joined():
    text = "(四)推进政府机构职能优化协同高效\n坚持优化政府组织结构,使机构\n设置更加科学。\n责任单位:区委编办\n结束语。"
    assert paragraphs(text) == ["(四)推进政府机构职能优化协同高效", "坚持优化政府组织结构,使机构设置更加科学。",
                                "责任单位:区委编办", "结束语。"]
