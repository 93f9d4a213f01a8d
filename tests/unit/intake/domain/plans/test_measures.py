import datetime as dt
import io
from pathlib import Path

import docx
import pytest

from services.intake.domain.documents import UnreadableDocument, document_text
from services.intake.domain.plans.measures import DuplicateMeasureIds, measure_event_id, plan_measures
from services.intake.domain.plans.parser import parse_plan
from tests.unit.intake.domain.plans.plan_test_helpers import PLAN_NAMES, sample_text


@pytest.mark.parametrize("name", PLAN_NAMES)
def test_every_measure_of_the_sample_plans_fits_the_measure_created_contract(name):
    plan = parse_plan(sample_text(name))
    measures = plan_measures(plan, "p-1", "361000")
    assert [m.number for m in measures] == [m.number for m in plan.measures]
    assert len({m.measure_id for m in measures}) == len(measures)
    assert all(m.start_date == dt.date(plan.start_year, 1, 1) for m in measures)


def test_measure_ids_are_plan_and_number_and_event_ids_follow_content():
    plan = parse_plan(sample_text("fuzhou-city-2022"))
    first = plan_measures(plan, "fuzhou-2022", "361000")
    again = plan_measures(plan, "fuzhou-2022", "361000")
    assert first[16].measure_id == "fuzhou-2022-17"
    assert [measure_event_id(m) for m in first] == [measure_event_id(m) for m in again]
    changed = first[16].model_copy(update={"title": "加强行政应诉工作(修订)"})
    assert measure_event_id(changed) != measure_event_id(first[16])


def test_numbers_that_restart_in_each_chapter_get_the_chapter_into_the_id():
    text = ("某市法治政府建设实施方案\n一、第一章\n1.甲任务。〔牵头单位:市司法局〕\n"
            "二、第二章\n1.乙任务。〔牵头单位:市司法局〕\n")
    measures = plan_measures(parse_plan(text), "p", "361000", start_date=dt.date(2024, 4, 1))
    assert [m.measure_id for m in measures] == ["p-1-1", "p-2-1"]
    assert measures[0].start_date == dt.date(2024, 4, 1)


def test_numbering_that_restarts_under_each_heading_gets_the_outline_path_into_the_ids():
    text = (Path(__file__).resolve().parents[4] / "data" / "plans" / "plan-numbering-restarts.txt").read_text(
        encoding="utf-8")
    measures = plan_measures(parse_plan(text), "cd-2021", "510100")
    assert [m.measure_id for m in measures] == ["cd-2021-2-1-1-1", "cd-2021-2-1-1-2", "cd-2021-2-1-2-1"]
    assert [m.measure_id for m in plan_measures(parse_plan(text), "cd-2021", "510100")] == [
        m.measure_id for m in measures]  # stable
    assert measures[2].section == "(一)健全政府机构职能体系,推动更好发挥政府作用 / 2.深入推进“放管服”改革"
    assert measures[2].chapter == "二、工作任务"


def test_an_import_that_would_publish_two_measures_under_one_id_is_refused():
    text = "某市法治政府建设实施方案\n一、任务\n1.甲任务。〔牵头单位:市司法局〕\n1.乙任务。〔牵头单位:市司法局〕\n"
    with pytest.raises(DuplicateMeasureIds, match=r"p-1-1: 1\.甲任务, 1\.乙任务") as refused:
        plan_measures(parse_plan(text), "p", "361000")
    assert refused.value.duplicates == {"p-1-1": ["1.甲任务", "1.乙任务"]}


def test_measures_carry_their_section_and_ongoing_deadlines():
    fuzhou = plan_measures(parse_plan(sample_text("fuzhou-city-2022")), "fuzhou-2022", "361000")
    assert len({m.section for m in fuzhou}) == 9 and all(m.chapter == "二、任务措施" for m in fuzhou)
    text = "某县工作方案\n一、任务\n1.推行审批服务便民化。每季度通报一次,长期坚持。〔牵头单位:县政务服务中心〕\n"
    (measure,) = plan_measures(parse_plan(text), "p", "361000")
    assert [(d.text, d.recurrence, d.ongoing) for d in measure.deadlines] == [
        ("每季度", "quarterly", False), ("长期坚持", None, True)]


def test_a_docx_plan_reads_as_its_paragraphs_and_tables():
    document = docx.Document()
    for line in sample_text("fuzhou-city-2022").splitlines()[:40]:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "序号", "任务"
    buffer = io.BytesIO()
    document.save(buffer)
    text = document_text("plan.docx", buffer.getvalue())
    assert text.splitlines()[:40] == [line for line in sample_text("fuzhou-city-2022").splitlines()[:40]]
    assert text.splitlines()[-1] == "序号 任务"


def test_plain_text_may_be_gbk_and_other_files_are_refused():
    assert document_text("plan.TXT", "市司法局".encode("gbk")) == "市司法局"
    with pytest.raises(UnreadableDocument, match=r"expected one of \.txt, \.docx"):
        document_text("plan.odt", b"PK")
    with pytest.raises(UnreadableDocument, match="not a Word"):
        document_text("plan.docx", b"not a zip")
