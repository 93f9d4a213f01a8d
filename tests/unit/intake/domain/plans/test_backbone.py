"""The numbering sequence as the backbone: site chunks, banners, pages out of order, run-on text."""
import pytest

from services.intake.domain.plans import backbone
from services.intake.domain.plans.parser import parse_plan
from tests.unit.intake.domain.plans.plan_test_helpers import expected, sample_text
from tests.unit.intake.domain.plans.test_corpus_text import PLANS

SITE = (PLANS / "site-extraction-county-2022.txt").read_text(encoding="utf-8")


def test_site_counters_and_banner_go_and_pages_come_back_in_numbering_order():
    reading = backbone.read(SITE)
    assert not any("文库" in p for p in reading.paragraphs)
    assert {number for level, number in reading.moved if level == 3} == {7, 8, 9, 10, 11}
    assert reading.paragraphs[16:18] == ["(D)强化依法决策意识", reading.paragraphs[17]]
    assert reading.paragraphs[17].startswith("7 .落实重大行政决策程序。")  # 7 was cut from its " ." by 8、
    assert "县人大常委会法工委责任单位:乡(镇、街道)" in reading.paragraphs[14]
    assert reading.paragraphs[15] == "四、健全行政决策制度体系"


def test_a_plan_numbering_its_own_lines_1_dun_is_not_taken_for_site_chunks():
    lines = ["1、推行告知承诺制。(牵头单位:市司法局)", "2、优化营商环境。(牵头单位:市市场监管局)",
             "3、规范决策程序。(牵头单位:市政府办)", "4、加强公职律师工作。(牵头单位:市司法局)"]
    assert backbone.site_chunks(lines) is None
    assert [m.number for m in parse_plan("某市工作方案\n" + "\n".join(lines)).measures] == [1, 2, 3, 4]


def test_numbers_that_restart_per_chapter_do_not_reorder_pages():
    chunks = ["一、甲章1.甲任务。牵头单位:市司法局2.乙任", "务。牵头单位:市司法局二、乙章1.丙任务。牵",
              "头单位:市司法局"]
    assert backbone.reorder(chunks) == (chunks, set())


def test_number_like_text_that_does_not_continue_the_sequence_stays_text():
    paragraphs, recovered = backbone.split_run_on([
        "1.完善机制。建立市、县一、二级联动机制,第1、2项任务于3.5个月内完成。牵头单位:市司法局"
        "2.强化监督。牵头单位:市审计局"])
    assert paragraphs == ["1.完善机制。建立市、县一、二级联动机制,第1、2项任务于3.5个月内完成。牵头单位:市司法局",
                          "2.强化监督。牵头单位:市审计局"]
    assert recovered == {1}


def test_each_measure_says_how_sure_the_parser_is_and_why():
    plan = parse_plan(SITE).to_json()
    assert plan["notes"] == ["site chunk counters N、 removed from 11 chunks and the chunks joined",
                             "pages put back in the order of the measure numbering"]
    seventh = plan["measures"][6]
    assert seventh["confidence"] == "medium"
    assert seventh["notes"] == ["number found mid-line: the line break before it was lost",
                                "its page was put back in numbering order",
                                "lettered section mark (D) read as section 4"]
    clause = parse_plan((PLANS / "plan-units-and-deadline-one-clause.txt").read_text(encoding="utf-8")).to_json()
    assert clause["measures"][0]["notes"] == ["units ended at label 完成时间"]
    assert clause["measures"][0]["confidence"] == "high"


def test_a_number_out_of_sequence_is_doubted():
    text = ("某市法治政府建设实施方案\n一、任务\n1.甲任务。〔牵头单位:市司法局〕\n2.乙任务。〔牵头单位:市司法局〕\n"
            "5.丙任务。〔牵头单位:市司法局〕\n")
    measures = parse_plan(text).measures
    assert [m.confidence for m in measures] == ["high", "high", "low"]
    assert measures[2].notes[0].text.startswith("number 5. does not follow 2.")


def test_fullwidth_forms_are_folded_everywhere():
    text = ("某县法治政府建设实施方案（２０２１～２０２５年）\n一、任务\n"
            "（一）甲任务。２０２２年底前完成，覆盖率达１００％。（牵头单位：县司法局）")
    plan = parse_plan(text)
    assert plan.start_year == 2021
    (measure,) = plan.measures
    assert measure.deadlines[0].date.isoformat() == "2022-12-31" and measure.targets[0].value == 100
    assert measure.lead_units == ["县司法局"]


def test_units_from_a_trailing_duty_table_go_to_the_measures_it_names():
    plan = parse_plan((PLANS / "trailing-duty-table.txt").read_text(encoding="utf-8"))
    assert [m.notes[0].text for m in plan.measures] == [
        f"units from row {n} of the 责任分工 table" for n in (1, 2, 3, 4)]
    assert "序号" not in plan.measures[-1].text and "附件" not in plan.measures[-1].text
    renamed = (PLANS / "trailing-duty-table.txt").read_text(encoding="utf-8").replace(
        "4\t落实行政执法责任制", "4\t追究执法过错")
    fourth = parse_plan(renamed).measures[3]
    assert fourth.lead_units == ["县司法局"] and fourth.confidence == "medium"


def test_a_heading_or_measure_the_numbering_cannot_place_never_becomes_a_unit_name():
    # 8 and 五 are missing (a page lost): 9 and 六 do not continue the sequence, yet end the lists
    text = ("某县法治政府建设实施方案\n四、健全决策体系7 .落实决策程序。牵头单位:县司法局责任单位:县政府各有关部门"
            "9 .推进乡镇执法。牵头单位:县委编办责任单位:乡(镇、街道)六、健全应急体系")
    (seventh,) = parse_plan(text).measures
    assert seventh.responsible_units == ["县政府各有关部门", "乡(镇、街道)"]  # 9 stays in 7's text
    assert seventh.lead_units == ["县司法局", "县委编办"]


def test_the_sequence_picks_up_again_after_a_lost_number():
    text = ("某县法治政府建设实施方案\n四、健全决策体系7 .落实决策程序。牵头单位:县司法局"
            "9 .推进乡镇执法。牵头单位:县委编办10 .规范执法。牵头单位:县司法局")
    measures = parse_plan(text).measures
    assert [(m.number, m.lead_units, m.confidence) for m in measures] == [
        (7, ["县司法局"], "medium"), (9, ["县委编办"], "low"), (10, ["县司法局"], "medium")]
    assert measures[1].notes[-1].text.startswith("number 9 . does not follow 7 .")


def test_an_enumeration_inside_a_measure_does_not_split_it():
    text = ("某市法治政府建设实施方案\n一、任务\n1.完善制度。主要包括:(1)建立清单;(2)健全机制。"
            "〔牵头单位:市司法局〕\n2.强化监督。要求如下。(1)定期检查。〔牵头单位:市审计局〕")
    measures = parse_plan(text).measures
    assert [(m.number, m.lead_units) for m in measures] == [(1, ["市司法局"]), (2, ["市审计局"])]
    assert "(1)建立清单;(2)健全机制" in measures[0].text


@pytest.mark.parametrize("name, size, swap", [("fuzhou-city-2022", 400, 8), ("fuzhou-city-2022", 200, 3),
                                              ("tongan-district-2022", 250, 8), ("bazhong-city-2017", 400, 8)])
def test_a_real_plan_copied_off_a_site_with_two_chunks_swapped_keeps_its_measures(name, size, swap):
    flat = "".join(sample_text(name).splitlines())
    chunks = [flat[i:i + size] for i in range(0, len(flat), size)]
    chunks[swap], chunks[swap + 1] = chunks[swap + 1], chunks[swap]
    site = "本文档由用户上传,仅供在线阅读,下载请至原文件\n" + "\n".join(f"{n}、{c}" for n, c in enumerate(chunks, 1))
    got, want = parse_plan(site).to_json(), expected(name)
    assert got["start_year"] == want["start_year"]
    keys = ("number", "lead_units", "responsible_units", "deadlines", "targets")
    # titles are left out: a heading on its own line cannot be told from the text after it once
    # the line breaks are lost (tongan's "(五)深入推进“放管服”改革" + "分级分类推进…")
    assert [{k: m[k] for k in keys} for m in got["measures"]] == [{k: m[k] for k in keys} for m in want["measures"]]


def test_the_real_plans_are_read_with_confidence_except_a_list_whose_bracket_never_closes():
    fuzhou = parse_plan(sample_text("fuzhou-city-2022")).measures
    assert [(m.number, m.confidence) for m in fuzhou if m.confidence != "high"] == [(3, "medium")]
    assert "closing bracket is missing" in fuzhou[2].notes[0].text
    for name in ("bazhong-city-2017", "tongan-district-2022"):
        assert {m.confidence for m in parse_plan(sample_text(name)).measures} == {"high"}


def test_a_plan_sentence_with_banner_like_words_is_kept():
    lines = ["本文档由用户上传至文库平台分享,仅供在线阅读(共18页)", "推行申请材料网上上传、证照在线下载,实现全程网办。",
             "1.推行网上办理。材料上传、结果下载全程网办。牵头单位:县政务服务中心"]
    assert backbone.without_banners(lines) == lines[1:]


def test_an_excerpt_with_a_title_line_above_its_chunks_is_read_too():
    text = ("某县法治政府建设实施方案(2022-2025年)\n"
            "5、一、主要任务1.推行告知承诺制。全面推行告知承诺制。牵头单位:县司法局责任单位:县直各部\n"
            "6、门2.规范涉企检查。涉企检查事项压减20%以上。牵头单位:县市场监管局责任单位:县直各\n"
            "7、执法部门二、组织保障加强领导。")
    plan = parse_plan(text)
    assert plan.start_year == 2022
    assert [(m.number, m.responsible_units) for m in plan.measures] == [(1, ["县直各部门"]), (2, ["县直各执法部门"])]


def test_a_task_table_row_with_one_cell_across_both_unit_columns_keeps_the_unit_in_both():
    text = ("某县2023年法治政府建设重点任务分工\n序号 工作任务 牵头单位 责任单位 完成时限\n"
            "1 编制公布行政许可事项清单 县政务服务中心 县直有关部门 2023年6月底前\n"
            "2 规范性文件备案审查率达100% 县司法局 长期坚持\n"
            "3 开展行政执法案卷评查 县司法局 各乡镇人民政府、县直各执法部门 每年12月底前\n")
    measures = parse_plan(text).measures
    assert [(m.number, m.lead_units, m.responsible_units) for m in measures] == [
        (1, ["县政务服务中心"], ["县直有关部门"]), (2, ["县司法局"], ["县司法局"]),
        (3, ["县司法局"], ["各乡镇人民政府", "县直各执法部门"])]
    assert measures[1].deadlines[0].ongoing and measures[1].confidence == "medium"
    assert measures[1].targets[0].indicator == "规范性文件备案审查率"


def test_a_duty_table_beside_units_in_the_text_fills_only_what_the_text_leaves_out():
    text = ("某县法治政府建设实施方案\n一、任务\n1.甲任务。全面推进。牵头单位:县司法局\n2.乙任务。全面推进。\n"
            "附件:责任分工表\n序号 工作任务 牵头单位 责任单位\n1 甲任务 县政府办 县直各部门\n"
            "2 乙任务 县审计局 县直各部门\n3 丙任务 县财政局 县直各部门\n")
    plan = parse_plan(text)
    assert [(m.number, m.lead_units) for m in plan.measures] == [(1, ["县司法局"]), (2, ["县审计局"])]
    assert plan.notes == ["row 3 of the 责任分工 table (丙任务) names no measure of the text"]


def test_a_site_copy_whose_page_break_falls_inside_a_chunk_is_put_in_order_by_its_page_footers():
    items = [f"{n}.任务{n}标题。落实第{n}项工作要求,按期完成各项任务。(牵头单位:市司法局;责任单位:市直各部门)"
             for n in range(1, 11)]
    body = "某市法治政府建设实施方案(2022—2025年)一、主要任务" + "".join(items)
    size = len(body) // 5 + 1
    pages = [body[i * size:(i + 1) * size] + f"— {i + 1} —" for i in range(5)]
    shuffled = "".join(pages[i] for i in (0, 2, 1, 4, 3))
    chunks = [shuffled[i:i + 97] for i in range(0, len(shuffled), 97)]  # page breaks fall inside chunks
    text = "\n".join(f"{k}、{chunk}" for k, chunk in enumerate(chunks, start=1))
    plan = parse_plan(text)
    assert [(m.number, m.title) for m in plan.measures] == [(n, f"任务{n}标题") for n in range(1, 11)]
    assert "pages put back in the order of their page footers" in plan.notes


def test_a_site_copy_that_cannot_be_put_in_order_names_the_missing_numbers_and_is_not_trusted():
    body = "某市法治政府建设实施方案一、主要任务(一)推进执法规范化" + "".join(
        f"{n}.任务{n}标题。落实第{n}项工作要求。(牵头单位:市司法局;责任单位:市直各部门)" for n in range(1, 9))
    size = len(body) // 4 + 1
    pages = [body[i * size:(i + 1) * size] for i in range(4)]
    shuffled = "".join(pages[i] for i in (0, 2, 1, 3))  # no page footers: the pages cannot be told apart
    text = "\n".join(f"{k}、{shuffled[i:i + 61]}" for k, i in enumerate(range(0, len(shuffled), 61), start=1))
    plan = parse_plan(text)
    missing = sorted(set(range(1, 9)) - {m.number for m in plan.measures})
    assert missing  # the page cut mid-chunk interleaves two measures beyond repair
    assert plan.notes[-1] == (f"measure numbers {', '.join(map(str, missing))} are missing from the sequence 1-8: "
                              "check the text for measures that were lost or misread")
    assert {m.confidence for m in plan.measures} == {"low"}


def test_a_measure_number_after_a_bare_heading_is_never_part_of_the_heading():
    paragraphs, _ = backbone.split_run_on(["3.推进改革。落实要求。", "(四)发挥人民调解作用8.健全调解组织网络。"])
    assert paragraphs == ["3.推进改革。落实要求。", "(四)发挥人民调解作用", "8.健全调解组织网络。"]
