"""Plan documents to plan text: encodings, Word list numbering, task tables (services/intake/documents)."""

import codecs
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from services.intake.domain.documents import UnreadableDocument, document_text, parse_document
from services.intake.domain.documents.numbering import FORMATS, ListNumbering
from tests.data.documents import word_plans
from tests.unit.intake.domain.plans.plan_test_helpers import sample_text

DATA = Path(__file__).resolve().parents[4] / "data" / "documents"


def measures(filename: str, content: bytes) -> list[tuple]:
    """(number as written, title, chapter, lead units, responsible units, deadline texts) per measure."""
    return [(m["number_text"], m["title"], m["chapter"], m["lead_units"], m["responsible_units"],
             [d["text"] for d in m["deadlines"]])
            for m in (measure.to_json() for measure in parse_document(filename, content).measures)]


# --- encodings -------------------------------------------------------------------------------------------

PLAN = sample_text("fuzhou-city-2022")


@pytest.mark.parametrize("encoded", [
    PLAN.encode("utf-8"), codecs.BOM_UTF8 + PLAN.encode("utf-8"), PLAN.encode("utf-16"),
    codecs.BOM_UTF16_BE + PLAN.encode("utf-16-be"), PLAN.encode("gb18030"),
], ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "gb18030"])
def test_every_unicode_and_national_encoding_reads_as_the_same_text(encoded):
    assert document_text("plan.txt", encoded) == PLAN


@pytest.mark.parametrize("encoding", ["gbk", "gb2312", "big5"])
def test_gbk_gb2312_and_big5_plans_are_told_apart(encoding):
    text = ("某縣法治政府建設實施方案\n一、健全依法決策機制\n1.落實重大行政決策程序。"
            "(牽頭單位:縣司法局;責任單位:各鄉鎮)\n"
            if encoding == "big5" else
            "某县法治政府建设实施方案\n一、健全依法决策机制\n1.落实重大行政决策程序。(牵头单位:县司法局;责任单位:各乡镇)\n")
    assert document_text("plan.txt", text.encode(encoding)) == text


@pytest.mark.parametrize(("content", "reason"), [
    (codecs.BOM_UTF16_LE + b"\x00\xd8", "byte-order mark"),
    (bytes(range(256)) * 4, "not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "plan.txt is a PNG image, not a text file"),
])
def test_bytes_that_are_no_text_are_refused_with_the_reason(content, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        document_text("plan.txt", content)


# --- Word list numbering ---------------------------------------------------------------------------------

def test_the_word_list_numbering_sample_gives_three_measures_under_their_two_chapters():
    content = (DATA / "plan-word-list-numbering.docx").read_bytes()
    plan = parse_document("plan.docx", content)
    assert [(m.number_text, m.chapter) for m in plan.measures] == [
        ("1.", "一、依法全面履行政府职能"), ("2.", "一、依法全面履行政府职能"), ("3.", "二、推进严格规范公正文明执法")]
    assert [m.lead_units for m in plan.measures] == [["区政务服务中心"], ["区司法局"], ["区司法局"]]
    assert [m.responsible_units for m in plan.measures] == [["区直有关部门"], ["各镇(街道)"], ["区直各执法部门"]]
    assert [[d.text for d in m.deadlines] for m in plan.measures] == [["2023年6月底前"], [], ["每年12月底前"]]
    assert [[(t.indicator, t.value) for t in m.targets] for m in plan.measures] == [[], [("备案审查率", 100)], []]


def test_a_three_level_list_numbers_chapters_sections_and_measures_restarting_below_a_new_section():
    got = measures("plan.docx", word_plans.multilevel_list())
    assert [(n, chapter) for n, _, chapter, *_ in got] == [
        ("1.", "一、依法全面履行政府职能"), ("2.", "一、依法全面履行政府职能"),
        ("1.", "一、依法全面履行政府职能"), ("1.", "二、健全行政决策制度体系")]
    plan = parse_document("plan.docx", word_plans.multilevel_list())
    assert [m.section for m in plan.measures] == ["(一)深化行政审批制度改革", "(一)深化行政审批制度改革",
                                                  "(二)优化法治化营商环境", "(一)严格落实重大行政决策程序"]
    assert got[2][3:] == (["县市场监管局"], ["县发改委", "县工信局"], ["2024年底前"])


def test_list_instances_with_a_start_override_restart_per_chapter():
    got = measures("plan.docx", word_plans.numbering_restarting_per_chapter())
    assert [(n, title, chapter) for n, title, chapter, *_ in got] == [
        ("1.", "全面推行行政执法三项制度", "一、提升行政执法质量"), ("2.", "开展案卷评查", "一、提升行政执法质量"),
        ("1.", "办理行政复议案件", "二、强化行政权力监督"), ("2.", "加强政务诚信建设", "二、强化行政权力监督")]
    assert got[3][3:] == (["县发改委"], ["各乡镇人民政府"], ["2024年底前"])


@pytest.mark.parametrize(("form", "values"), [
    ("chineseCounting", {1: "一", 10: "十", 11: "十一", 20: "二十", 35: "三十五", 101: "一百零一", 115: "一百一十五"}),
    ("chineseLegalSimplified", {3: "叁", 12: "拾贰"}),
    ("ideographTraditional", {1: "甲", 10: "癸"}),
    ("decimalEnclosedCircle", {1: "①", 20: "⑳"}),
    ("decimalFullWidth", {12: "１２"}),
    ("upperRoman", {4: "IV", 14: "XIV"}),
    ("lowerLetter", {2: "b", 27: "aa"}),
])
def test_word_number_formats_draw_as_word_draws_them(form, values):
    assert {n: FORMATS[form](n) for n in values} == values


def _paragraph(num_id: int, level: int | None = None, style: str | None = None):
    level_xml = f'<w:ilvl w:val="{level}"/>' if level is not None else ""
    style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
    num_xml = f"<w:numPr>{level_xml}<w:numId w:val=\"{num_id}\"/></w:numPr>" if num_id else ""
    return parse_xml(f'<w:p {nsdecls("w")}><w:pPr>{style_xml}{num_xml}</w:pPr></w:p>')


def test_a_legal_level_draws_its_parents_in_decimal_and_a_level_restarts_only_after_its_lvl_restart():
    numbering = parse_xml(
        f'<w:numbering {nsdecls("w")}><w:abstractNum w:abstractNumId="1">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlRestart w:val="0"/>'
        '<w:isLgl/><w:lvlText w:val="%1.%2"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num></w:numbering>')
    labels = ListNumbering(numbering, None)
    drawn = [labels.label(_paragraph(5, level)) for level in (0, 1, 1, 0, 1)]
    assert drawn == ["一、", "1.1", "1.2", "二、", "2.3"]  # lvlRestart 0: never restarts


def test_numbering_through_a_style_and_bullets_draw_nothing_readable():
    numbering = parse_xml(
        f'<w:numbering {nsdecls("w")}><w:abstractNum w:abstractNumId="1">'
        '<w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="decimal"/><w:lvlText w:val="（%1）"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="7"><w:abstractNumId w:val="1"/></w:num></w:numbering>')
    styles = parse_xml(
        f'<w:styles {nsdecls("w")}><w:style w:styleId="Task"><w:pPr><w:numPr><w:numId w:val="7"/></w:numPr></w:pPr>'
        '</w:style><w:style w:styleId="UrgentTask"><w:basedOn w:val="Task"/></w:style></w:styles>')
    labels = ListNumbering(numbering, styles)
    drawn = [labels.label(p) for p in (_paragraph(0, style="Task"), _paragraph(0, style="UrgentTask"),
                                        _paragraph(7, 1), _paragraph(0, style="Normal"))]
    assert drawn == ["（3）", "（4）", None, None]


def test_a_list_linked_to_a_numbering_style_counts_with_the_styles_list():
    numbering = parse_xml(
        f'<w:numbering {nsdecls("w")}><w:abstractNum w:abstractNumId="1">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '</w:abstractNum><w:abstractNum w:abstractNumId="2"><w:numStyleLink w:val="PlanList"/></w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num></w:numbering>')
    styles = parse_xml(f'<w:styles {nsdecls("w")}><w:style w:type="numbering" w:styleId="PlanList"><w:pPr>'
                       '<w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>')
    labels = ListNumbering(numbering, styles)
    assert [labels.label(_paragraph(n, 0)) for n in (2, 2, 1)] == ["一、", "二、", "三、"]


# --- task tables -----------------------------------------------------------------------------------------

def test_the_task_table_sample_gives_three_measures_read_by_column_header():
    got = measures("plan.docx", (DATA / "plan-task-table.docx").read_bytes())
    assert [(n, lead, responsible) for n, _, _, lead, responsible, _ in got] == [
        ("1.", ["县政务服务中心"], ["县直有关部门"]),
        ("2.", ["县司法局"], ["县司法局"]),  # two neighbouring cells with the same unit: both kept
        ("3.", ["县司法局"], ["各乡镇人民政府", "县直各执法部门"])]
    assert [deadlines for *_, deadlines in got] == [["2023年6月底前"], ["长期坚持"], ["每年12月底前"]]


def test_a_grouping_column_merged_down_names_the_chapters_and_a_merged_unit_cell_serves_each_row():
    got = measures("plan.docx", word_plans.task_table_with_groups())
    assert got == [
        ("1.", "编制区级权责清单并动态调整", "一、政府职能", ["区委编办"], ["区直各部门"], ["2024年6月底前"]),
        ("2.", "推进跨部门综合监管", "一、政府职能", ["区市场监管局"], ["区直各部门"], ["2024年12月底前"]),
        ("3.", "落实合法性审查全覆盖", "二、依法决策", ["区司法局"], ["区司法局"], ["长期坚持"]),  # ongoing, kept
        ("4.", "建立行政规范性文件清理长效机制", "二、依法决策", ["区司法局"], ["各街道办事处"], ["每年12月底前"])]


def test_a_header_under_a_title_row_and_over_two_rows_is_found_by_its_labels():
    got = measures("plan.docx", word_plans.task_table_under_title_row())
    assert got == [
        ("1.", "完善镇村两级公共法律服务平台", None, ["镇司法所"], ["各村(社区)"], ["2024年9月底前"]),
        ("2.", "开展“法律明白人”培训", None, ["镇司法所"], ["镇综治中心", "各村(社区)"], ["每年"])]


def test_chapter_rows_between_the_tasks_become_chapter_headings():
    got = measures("plan.docx", word_plans.task_table_with_chapter_rows())
    assert got == [
        ("1.", "开展行政执法质量评查", "一、加强行政执法监督", ["市司法局"], ["市直各执法部门"], ["2025年10月底前"]),
        ("2.", "推进行政执法协调监督工作体系建设", "一、加强行政执法监督", ["市司法局"], ["各县(区)政府"],
         ["2025年12月底前"]),
        ("1.", "更新政府信息公开指南", "二、推进政务公开", ["市政府办"], ["市直各部门", "各县(区)政府"],
         ["每年3月底前"])]


def test_a_task_merged_down_over_rows_is_one_measure_with_a_unit_pair_per_row():
    plan = parse_document("plan.docx", word_plans.task_table_with_a_task_over_rows())
    first, second = plan.measures
    assert [p.to_json() for p in first.unit_pairs] == [{"lead": ["县司法局"], "responsible": ["县政府办"]},
                                                       {"lead": ["县司法局"], "responsible": ["各乡镇人民政府"]}]
    assert [d.text for d in first.deadlines] == ["2023年底前", "2024年6月底前"]
    assert (second.number_text, second.responsible_units) == ("2.", ["县直各部门"])
    assert [(t.indicator, t.value) for t in second.targets] == [("行政机关负责人出庭应诉率", 95)]


def test_a_table_without_a_task_header_stays_lines_of_its_distinct_cells():
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for column, text in enumerate(["姓名", "职务", "职务"]):
        table.cell(0, column).text = text
    table.cell(1, 0).merge(table.cell(1, 2)).text = "联系人"
    out = __import__("io").BytesIO()
    document.save(out)
    assert document_text("plan.docx", out.getvalue()).splitlines()[-2:] == ["姓名 职务 职务", "联系人"]


def test_a_task_tables_title_gives_the_plans_first_year():
    plan = parse_document("plan.docx", (DATA / "plan-task-table.docx").read_bytes())
    assert plan.start_year == 2023  # 某县2023年法治政府建设重点任务分工: yearly deadlines fall due from 2023


def test_a_note_paragraph_after_a_task_table_is_a_note_of_the_document_not_the_last_measures_text():
    document = docx.Document()
    document.add_paragraph("某县法治政府建设实施方案（2023—2025年）重点任务分工表")
    rows = [["序号", "工作任务", "牵头单位", "责任单位", "完成时限"],
            ["1", "规范执法行为", "县司法局", "县直各行政执法部门", "2024年6月底前"],
            ["2", "加强执法监督", "县司法局", "各乡镇人民政府", "每半年"]]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_paragraph("注：各单位每季度末向县委依法治县办报送进展情况。")
    buffer = io.BytesIO()
    document.save(buffer)
    plan = parse_document("plan.docx", buffer.getvalue())
    assert "报送" not in plan.measures[-1].text
    assert plan.notes == ["note of the document: 注:各单位每季度末向县委依法治县办报送进展情况。"]


def _with_numbering(content: bytes, numbering: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, numbering if info.filename == "word/numbering.xml" else source.read(info))
    return out.getvalue()


@pytest.mark.parametrize("damage", [
    lambda xml: re.sub(rb"<w:abstractNum .*?</w:abstractNum>", b"", xml, flags=re.S),  # lists lost
    lambda xml: re.sub(rb"<w:num .*?</w:num>", b"", xml, flags=re.S),  # list instances lost
    lambda xml: re.sub(rb'<w:lvl w:ilvl="0".*?</w:lvl>', b"", xml, flags=re.S),  # the chapter level lost
], ids=["abstract-lists", "instances", "chapter-level"])
def test_a_damaged_list_numbering_is_refused_not_read_as_other_measures(damage):
    content = word_plans.multilevel_list()
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        numbering = package.read("word/numbering.xml")
    damaged = _with_numbering(content, damage(numbering))
    assert damaged != content
    with pytest.raises(UnreadableDocument, match=r"numbering\.xml\) is damaged"):
        parse_document("plan.docx", damaged)
