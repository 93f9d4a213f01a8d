"""年度报告 .docx: the annual dataset's figures, measures, progress and overdue items, read back."""

import pytest

from services.reporting.domain.annual import annual_report
from services.reporting.domain.documents.annual import annual_docx
from services.reporting.domain.documents.wording import ITEMS_LISTED
from tests.unit.reporting.domain.documents.conftest import TODAY
from tests.unit.reporting.domain.documents.reading import open_docx, paragraph_starting, tables, texts


@pytest.fixture(scope="module")
def report(small_snapshot, small_city):
    reports = [{**p, "narrative": f"{p['unit']}已召开专题会议推进。", "evidence": [f"{p['_id']}.pdf"]}
               for p in small_city.progress]
    return annual_report(small_snapshot, "361000", 2026, TODAY, reports)


def test_the_annual_docx_reads_back_with_the_datasets_figures(report):
    document = open_docx(annual_docx(report))
    lines = texts(document)
    assert lines[0] == "演示市2026年度法治政府建设情况报告"
    headings = [line for line in lines if line[:2] in {"一、", "二、", "三、", "四、", "五、", "六、"}]
    assert headings == ["一、总体情况", "二、各地区落实情况", "三、各项措施落实情况", "四、主要工作进展",
                        "五、逾期未完成事项"]
    figures = report["figures"]
    assert f"共分解任务{figures['assignments']}项" in paragraph_starting(document, "2026年度，").text
    regions, *chapters, overdue = tables(document)
    children = [c for c in figures["children"] if c["assignments"]]
    assert [row[:5] for row in regions[1:]] == [
        [c["name"], "—", str(c["assignments"]), str(c["completed"]), str(c["awaiting_verification"])]
        for c in children]  # nothing lit in this city: no light
    # One table per chapter, under its （一）（二）… subheading, together every measure once.
    chapter_names = {m["chapter"].partition("、")[2] for m in report["measures"]}
    assert {line[3:] for line in lines if line.startswith("（")} == chapter_names
    measure_rows = [row for table in chapters for row in table[1:]]
    assert [row[0] for row in measure_rows] == [str(m["number"]) for m in report["measures"]]
    by_number = {str(m["number"]): m for m in report["measures"]}
    for row in measure_rows:
        measure = by_number[row[0]]
        assert row[1] == measure["title"] and row[4] == f"{measure['completed']}/{measure['assignments']}"
        assert row[5] == measure["status_name"]
    assert len(report["overdue"]) == figures["overdue"] > ITEMS_LISTED
    assert [row[-1] for row in overdue[1:]] == [str(item["days_overdue"]) for item in report["overdue"][:ITEMS_LISTED]]
    reported = next(m for m in report["measures"] if m["reports"])
    progress = paragraph_starting(document, f"{reported['number']}. {reported['title']}")
    assert f"{reported['reports'][-1]['unit_name']}：" in progress.text and "已召开专题会议推进" in progress.text
    assert reported["evidence"][0] in progress.text


def test_a_region_without_overdue_items_says_so(small_snapshot):
    report = annual_report(small_snapshot, "361000", 2020, TODAY, [])
    assert not report["overdue"]
    lines = texts(open_docx(annual_docx(report)))
    assert "本年度无逾期未完成的任务。" in lines and "四、主要工作进展" not in lines
