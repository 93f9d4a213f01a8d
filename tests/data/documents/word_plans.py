"""Word plans built at test time in the layouts districts send (python-docx), as .docx bytes.

Each builder writes a small plan in its own words; the tests assert the measures it must give.
Numbering definitions are written as WordprocessingML (ECMA-376 §17.9), as Word and WPS save them.
"""

from io import BytesIO

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

TITLE = "某县2024年法治政府建设工作要点"


def _bytes(document) -> bytes:
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _define_list(document, abstract_id: int, levels: list[tuple[str, str]], *, num_ids=(), starts=()) -> None:
    """An abstract list whose level i has (numFmt, lvlText) = levels[i], and list instances `num_ids`
    pointing at it; `starts` holds (num_id, level, start) overrides."""
    numbering = document.part.numbering_part.element
    lvls = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                   f'<w:lvlText w:val="{text}"/><w:suff w:val="nothing"/></w:lvl>'
                   for i, (fmt, text) in enumerate(levels))
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                         f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    for num_id in num_ids:
        overrides = "".join(f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
                            for n, level, start in starts if n == num_id)
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                                   f'<w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'))


def _numbered(document, text: str, num_id: int, level: int) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def multilevel_list() -> bytes:
    """Chapters 一、, sections (一), measures 1. from one three-level list; measures continue 1-3 over the
    sections (Word's counters run on) but restart under the second chapter's section."""
    document = docx.Document()
    _define_list(document, 90, [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")],
                 num_ids=[901])
    document.add_paragraph(TITLE)
    for level, text in [
        (0, "依法全面履行政府职能"),
        (1, "深化行政审批制度改革"),
        (2, "推行证明事项告知承诺制。2024年6月底前完成事项清单梳理。（牵头单位：县司法局；责任单位：县直有关部门）"),
        (2, "推进“一网通办”。政务服务事项网上可办率达到95%以上。（牵头单位：县政务服务中心；责任单位：各乡镇）"),
        (1, "优化法治化营商环境"),
        (2, "清理涉企规范性文件。2024年底前完成。（牵头单位：县市场监管局；责任单位：县发改委、县工信局）"),
        (0, "健全行政决策制度体系"),
        (1, "严格落实重大行政决策程序"),
        (2, "编制年度重大行政决策事项目录。每年3月底前向社会公布。（牵头单位：县政府办；责任单位：县司法局）"),
    ]:
        _numbered(document, text, 901, level)
    return _bytes(document)


def numbering_restarting_per_chapter() -> bytes:
    """Chapters typed by hand; the measures of each chapter are a list instance of their own whose start
    is overridden to 1, so the second chapter's measures are 1. and 2. again."""
    document = docx.Document()
    _define_list(document, 91, [("decimal", "%1.")], num_ids=[911, 912], starts=[(911, 0, 1), (912, 0, 1)])
    document.add_paragraph(TITLE)
    for line in ["一、提升行政执法质量",
                 (911, "全面推行行政执法三项制度。2024年9月底前完成执法公示平台升级。"
                       "（牵头单位：县司法局；责任单位：县直各执法部门）"),
                 (911, "开展案卷评查。每年11月底前完成。（牵头单位：县司法局；责任单位：县直各执法部门）"),
                 "二、强化行政权力监督",
                 (912, "办理行政复议案件。行政复议决定按期履行率达100%。"
                       "（牵头单位：县司法局；责任单位：县政府各部门）"),
                 (912, "加强政务诚信建设。2024年底前建立政务失信记录。"
                       "（牵头单位：县发改委；责任单位：各乡镇人民政府）")]:
        if isinstance(line, str):
            document.add_paragraph(line)
        else:
            _numbered(document, line[1], line[0], 0)
    return _bytes(document)


def _table(title: str, rows: list[list[str]]):
    """A document of a title paragraph and a table of these rows: (document, table)."""
    document = docx.Document()
    document.add_paragraph(title)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    return document, table


def _merge_down(table, column: int, first: int, last: int) -> None:
    text = table.cell(first, column).text
    merged = table.cell(first, column).merge(table.cell(last, column))
    merged.text = text


def task_table_with_groups() -> bytes:
    """序号 | 任务类别 (merged down over its rows) | 重点任务 | 牵头单位 | 配合单位 | 完成时间; a 配合单位 cell
    merged down over two rows; the lead and the responsible cell of one row hold the same unit."""
    document, table = _table("某区2024年法治政府建设重点任务清单", [
        ["序号", "任务类别", "重点任务", "牵头单位", "配合单位", "完成时间"],
        ["1", "政府职能", "编制区级权责清单并动态调整", "区委编办", "区直各部门", "2024年6月底前"],
        ["2", "政府职能", "推进跨部门综合监管", "区市场监管局", "区直各部门", "2024年12月底前"],
        ["3", "依法决策", "落实合法性审查全覆盖，审查率达100%", "区司法局", "区司法局", "长期坚持"],
        ["4", "依法决策", "建立行政规范性文件清理长效机制", "区司法局", "各街道办事处", "每年12月底前"],
    ])
    _merge_down(table, 1, 1, 2)
    _merge_down(table, 1, 3, 4)
    _merge_down(table, 4, 1, 2)
    return _bytes(document)


def task_table_under_title_row() -> bytes:
    """A title row spanning every column, then the header (任务 | 时间要求 | 责任单位 with 牵头单位 and
    责任单位 below it over two header rows), then the tasks; no 序号 column."""
    document, table = _table("某镇法治政府建设实施方案（2024-2025年）", [
        ["附件：重点任务分工表", "", "", ""],
        ["工作任务", "时间要求", "责任单位", ""],
        ["", "", "牵头单位", "责任单位"],
        ["完善镇村两级公共法律服务平台", "2024年9月底前", "镇司法所", "各村（社区）"],
        ["开展“法律明白人”培训，每年不少于2期", "每年", "镇司法所", "镇综治中心、各村（社区）"],
    ])
    table.cell(0, 0).merge(table.cell(0, 3)).text = "附件：重点任务分工表"
    for column in (0, 1):
        _merge_down(table, column, 1, 2)
    table.cell(1, 2).merge(table.cell(1, 3)).text = "责任单位"
    return _bytes(document)


def task_table_with_chapter_rows() -> bytes:
    """Chapters as rows between the tasks: one merged over the whole row, one as 序号 "二" with its title in
    the task column; the tasks are numbered 1, 2 again under each chapter; units listed one per paragraph."""
    document, table = _table("某市2025年法治政府建设任务分工方案", [
        ["序号", "工作内容", "牵头单位", "责任单位", "完成时限"],
        ["一、加强行政执法监督", "", "", "", ""],
        ["1", "开展行政执法质量评查", "市司法局", "市直各执法部门", "2025年10月底前"],
        ["2", "推进行政执法协调监督工作体系建设", "市司法局", "各县（区）政府", "2025年12月底前"],
        ["二", "推进政务公开", "", "", ""],
        ["1", "更新政府信息公开指南", "市政府办", "市直各部门\n各县（区）政府", "每年3月底前"],
    ])
    table.cell(1, 0).merge(table.cell(1, 4)).text = "一、加强行政执法监督"
    return _bytes(document)


def task_table_with_a_task_over_rows() -> bytes:
    """One task merged down over two rows, each row its own lead unit, responsible units and deadline."""
    document, table = _table("某县法治政府建设实施方案（2023-2025年）任务分工", [
        ["序号", "主要任务", "牵头单位", "责任单位", "时间要求"],
        ["1", "健全行政复议体制", "县司法局", "县政府办", "2023年底前"],
        ["1", "健全行政复议体制", "县司法局", "各乡镇人民政府", "2024年6月底前"],
        ["2", "加强行政应诉工作，行政机关负责人出庭应诉率达到95%以上", "县司法局", "县直各部门", "每年"],
    ])
    for column in (0, 1):
        _merge_down(table, column, 1, 2)
    return _bytes(document)
