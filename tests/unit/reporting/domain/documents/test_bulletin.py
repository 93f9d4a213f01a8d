"""督办通报: its content is the reports' own figures, and the .docx read back holds them in its tables."""

from datetime import date

import pytest
from docx.shared import Mm, Pt

from services.reporting.domain.annual import overdue_items
from services.reporting.domain.documents.bulletin import bulletin, bulletin_docx
from services.reporting.domain.documents.wording import ITEMS_LISTED
from tests.unit.reporting.domain.documents.conftest import TODAY
from tests.unit.reporting.domain.documents.reading import east_asian_font, open_docx, paragraph_starting, tables, texts


@pytest.fixture(scope="module")
def october(small_snapshot):
    return bulletin(small_snapshot, "361000", "2026-10", TODAY)


def test_the_bulletin_takes_the_figures_ranking_and_overdue_items_of_the_period_end(small_snapshot, october):
    as_of = date(2026, 10, 31)
    assert october["as_of"] == "2026-10-31" and october["period"]["label"] == "2026-10"
    report = small_snapshot.region_report("361000", as_of, "month")
    assert october["figures"] == {k: v for k, v in report.items() if k != "children"}
    assert october["ranking_of"] == "regions"
    assert october["ranking"] == small_snapshot.ranking("361000", as_of, "month", "regions")["rows"]
    assert october["overdue"] == overdue_items(small_snapshot, "361000", as_of)
    for kind in ("overdue", "lagging", "silent"):
        assert sum(len(unit[kind]) for unit in october["units"]) == report[kind], kind
    assert report["overdue"] > 0 and october["named"]
    assert october["named"] == [unit for unit in october["units"] if unit["overdue"]]
    worst = [(len(u["overdue"]), u["longest_overdue_days"]) for u in october["named"]]
    assert worst == sorted(worst, reverse=True)


def test_a_running_period_is_taken_at_today_and_a_future_one_is_refused(small_snapshot):
    running = bulletin(small_snapshot, "361000", "2026-Q4", TODAY)
    assert running["as_of"] == TODAY.isoformat() and running["period"]["end"] == "2026-12-31"
    assert running["period_name"] == "2026年第四季度"
    assert running["figures"]["period"]["label"] == "2026-Q4"  # the reporting rate over the quarter
    with pytest.raises(ValueError, match="2027-01-01"):
        bulletin(small_snapshot, "361000", "2027", TODAY)


def test_a_township_ranks_its_units(small_snapshot, small_city):
    township = next(code for code in small_city.regions if len(code) == 9
                    and small_snapshot.region_report(code, TODAY)["assignments"])
    content = bulletin(small_snapshot, township, "2026-10", TODAY)
    assert content["ranking_of"] == "units"
    assert {row["unit"] for row in content["ranking"]} == {
        row["unit"] for row in small_snapshot.grouped_report(township, date(2026, 10, 31), "month", "units")["rows"]}


def test_the_docx_reads_back_with_its_sections_and_tables(october):
    document = open_docx(bulletin_docx(october, issue=10))
    lines = texts(document)
    assert lines[:2] == ["督办通报", "2026年第10期"]
    assert "关于演示市法治政府建设实施方案2026年10月落实情况的通报" in lines
    headings = [line for line in lines if line[:2] in {"一、", "二、", "三、", "四、", "五、"}]
    assert headings == ["一、总体情况", "二、排名情况", "三、逾期和滞后事项", "四、通报点名", "五、工作要求"]
    assert "（一）按责任单位" in lines and "（二）逾期未完成事项" in lines
    figures = october["figures"]
    overview = paragraph_starting(document, "全市").text
    assert f"共分解任务{figures['assignments']}项，已完成{figures['completed']}项（经核查销号" in overview
    assert f"已申请办结待核查{figures['awaiting_verification']}项" in overview
    ranking, units, overdue = tables(document)
    assert ranking[0] == ["排名", "地区", "亮灯", "综合得分", "完成率(%)", "按期完成率(%)", "逾期(项)", "滞后(项)"]
    assert [(row[0], row[1], row[3]) for row in ranking[1:]] == [
        (str(r["rank"]), r["name"], f"{r['score']:.1f}") for r in october["ranking"]]
    assert [row[0] for row in units[1:]] == [u["unit_name"] for u in october["units"]]
    first = october["units"][0]
    assert units[1][2].replace("\u200b", "") == "第" + "、".join(str(n) for n in sorted(first["overdue"])) + "项"
    assert len(october["overdue"]) > ITEMS_LISTED and len(overdue) - 1 == ITEMS_LISTED  # the longest overdue
    assert f"共{len(october['overdue'])}项逾期未完成事项，以下列出逾期时间最长的{ITEMS_LISTED}项" in lines[
        lines.index("（二）逾期未完成事项") + 1]
    columns = ("number", "title", "unit_name", "due", "days_overdue")
    assert overdue[1] == [str(october["overdue"][0][key]) for key in columns]
    named = paragraph_starting(document, f"对以下{len(october['named'])}个")
    assert all(unit["unit_name"] in named.text for unit in october["named"])


def test_the_docx_has_the_gbt_9704_layout(october):
    document = open_docx(bulletin_docx(october))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(getattr(section, f"{side}_margin").mm) for side in ("top", "bottom", "left", "right")] == [
        37, 35, 28, 26]
    normal = document.styles["Normal"]
    line = normal.paragraph_format.line_spacing.pt
    assert normal.font.size == Pt(16) and 22 * line <= Mm(225).pt < 23 * line  # 22 lines to the page
    # 28 characters of 16 pt, condensed, fill the 156 mm line.
    condensed = float(normal.element.rPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}spacing").get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")) / 20
    assert 28 * (16 + condensed) <= Mm(156).pt < 28 * 16
    title = paragraph_starting(document, "关于")
    assert title.alignment == 1 and title.runs[0].font.size == Pt(22)
    assert east_asian_font(title.runs[0]) == "方正小标宋简体"
    assert east_asian_font(paragraph_starting(document, "一、").runs[0]) == "黑体"
    assert east_asian_font(paragraph_starting(document, "（一）").runs[0]) == "楷体_GB2312"
    assert east_asian_font(paragraph_starting(document, "全市").runs[0]) == "仿宋_GB2312"
    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in ((section.footer, 2), (section.even_page_footer, 0)):
        page = footer.paragraphs[0]
        assert page.text.startswith("— ") and page.text.endswith(" —") and page.alignment == alignment
        assert " PAGE " in page._p.xml and page.runs[0].font.size == Pt(14)
