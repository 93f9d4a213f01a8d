"""Where the ledger is in a workbook: the sheet, the header row (found by its labels below any title rows,
one row or two with merged group cells above), what each column means, and the 填报单位 / 填报日期 lines
above the header that hold values for every row.
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from services.intake.domain.ledgers.values import text_of
from services.intake.domain.ledgers.workbooks import LedgerError, Sheet

# Each contract field and the labels ledgers use for it, the template's first. When several columns name
# one field, the earlier label wins (a ledger with 牵头单位 and 责任单位 reports as its 填报单位 if it has one,
# else as the responsible unit) and the others are context. 序号 is a measure id only when nothing better is.
LABELS = {
    "measure_id": ("措施编号", "任务编号", "事项编号", "编号", "序号"),
    "unit": ("单位", "填报单位", "报送单位", "责任单位", "承办单位", "责任部门", "牵头单位"),
    "region_code": ("区划代码", "行政区划代码", "区划编码", "行政区划编码"),
    "period": ("周期", "报告期", "填报周期", "报送周期", "统计周期", "所属期"),
    "percent_complete": ("完成百分比", "完成进度", "完成率", "进度", "完成比例", "进度百分比", "完成百分率"),
    "status": ("状态", "完成状态", "进展状态", "推进状态", "办理状态"),
    "narrative": ("进展情况", "完成情况", "工作进展", "推进情况", "进展"),
    "reported_at": ("填报时间", "报送时间", "填报日期", "报送日期", "更新时间"),
    "evidence": ("佐证材料", "佐证", "佐证资料", "附件"),
}
REQUIRED = ("measure_id", "unit", "region_code", "period", "percent_complete", "status")
# Columns that describe the row for the people filling it in (the measure's text, who to call) rather than
# report anything: not indicators. 备注 and what the unit writes beside its progress (存在问题, 下步计划)
# are kept in the narrative under their label.
CONTEXT = ("任务名称", "措施名称", "工作任务", "主要任务", "具体措施", "工作措施", "任务内容", "措施内容", "目标任务",
           "责任人", "联系人", "联系电话", "完成时限", "完成时间", "时间节点")
REMARKS = ("备注", "说明", "存在问题", "存在的问题", "困难问题", "下步计划", "下一步计划", "下一步工作计划")
# A row opened by one of these below the table is a total or a note, not a report.
FOOTER_WORDS = ("合计", "总计", "小计", "备注", "注:", "说明", "填表人", "填报人", "审核人", "制表人", "负责人",
                "联系人", "联系电话")
HEADER_SEARCH_ROWS = 30
_WHERE = {label: (field, rank) for field, labels in LABELS.items() for rank, label in enumerate(labels)}


def label_of(header) -> str:
    """A header cell as a label: full-width folded, spaces, line breaks, (%) / (必填) / * marks dropped."""
    return re.sub(r"\([^)]*\)|[\s*:]", "", text_of(header or ""))


def column_of(header) -> str | None:
    """The contract field a header names (in Chinese, English or both: "单位 unit"), "context", "remarks",
    or None for an indicator."""
    words = text_of(header or "").split()
    for word in [label_of(header), *words, *map(label_of, words)]:
        if word in LABELS:
            return word
        if word in _WHERE:
            return _WHERE[word][0]
        if word in CONTEXT:
            return "context"
        if word in REMARKS:
            return "remarks"
    return None


def _rank(header) -> int:
    for word in [label_of(header), *map(label_of, text_of(header or "").split())]:
        if word in _WHERE:
            return _WHERE[word][1]
    return 0


@dataclass(frozen=True)
class Layout:
    sheet: Sheet
    header_rows: tuple[int, ...]  # as Excel numbers them
    data: list[tuple[int, list]]  # the rows below the header: (number, values)
    headers: list[str]  # per column, the label that named it (the lower row's, in a two-row header)
    fields: list[str | None]  # per column: a contract field, "context", "remarks", or None (an indicator)
    above: dict[str, str]  # values the lines above the header give every row (填报单位: 临川区司法局)


def find_layouts(sheets: Sequence[Sheet]) -> list[Layout]:
    """Every sheet whose header names every required field (by a column or a line above the header): a
    workbook may keep one ledger per county on its own sheet. LedgerError naming what each sheet lacks
    when none does."""
    found, lacking = [], []
    for sheet in sheets:
        layout = _sheet_layout(sheet)
        missing = [field for field in REQUIRED if field not in layout.fields and field not in layout.above]
        if missing:
            lacking.append(f"sheet {sheet.name!r}: the header lacks the column(s) {', '.join(missing)}")
        else:
            found.append(layout)
    if not found:
        raise LedgerError("no sheet holds a ledger: " + "; ".join(lacking or ["the workbook has no sheets"]))
    return found


def _sheet_layout(sheet: Sheet) -> Layout:
    best = None
    for top in range(min(HEADER_SEARCH_ROWS, len(sheet.rows))):
        for span in (1, 2):
            rows = [values for _, values in sheet.rows[top:top + span]]
            if len(rows) < span:
                continue
            headers, fields = _header(rows)
            # More fields named wins; on a tie, two rows when both read as header rows (labels under a
            # group, or notes under labels), else one (a title or 填报单位 line above adds nothing).
            two_rows = span == 2 and all(map(_header_like, rows)) and any(
                column_of(cell) or re.fullmatch(r"\(.*\)", text_of(cell)) for cell in rows[1] if cell is not None)
            score = (len({field for field in fields if field in LABELS}), two_rows, -span)
            if best is None or score > best[0]:
                best = (score, top, span, headers, fields)
    if best is None:
        return Layout(sheet, (), [], [], [], {})
    _, top, span, headers, fields = best
    return Layout(sheet, tuple(number for number, _ in sheet.rows[top:top + span]), sheet.rows[top + span:],
                  headers, fields, _lines_above([values for _, values in sheet.rows[:top]]))


def _header(rows: list[list]) -> tuple[list[str], list[str | None]]:
    """Per column its label: in a two-row header the lower cell, unless it is empty or a note such as
    "(%)", or it names no field while the cell above does and is not a group label spanning its neighbours
    (推进情况 over 完成百分比 / 状态 is a group; 完成百分比 over "(%)" or over an unnamed note is the label).
    Repeated fields: the best-ranked label wins, the others are context."""
    width = max(len(row) for row in rows)
    cell = [lambda c, row=row: text_of(row[c] or "") if 0 <= c < len(row) else "" for row in rows]
    headers, fields = [], []
    for column in range(width):
        header = cell[-1](column)
        if len(rows) == 2:
            upper = cell[0](column)
            group = upper and upper in (cell[0](column - 1), cell[0](column + 1))
            if not group and (not label_of(header) or (column_of(header) is None and column_of(upper))):
                header = upper
        headers.append(header)
        fields.append(column_of(header) if header else "context")
    for field in set(fields) & set(LABELS):
        columns = [c for c, named in enumerate(fields) if named == field]
        keep = min(columns, key=lambda c: _rank(headers[c]))
        for column in columns:
            if column != keep:
                fields[column] = "context"
    return headers, fields


def _header_like(row: list) -> bool:
    """Labels only: no numbers or dates (data), no "label: value" cells (a 填报单位 line)."""
    return not any(isinstance(cell, int | float | dt.date) or re.search(r":\s*\S", text_of(cell))
                   for cell in row if cell is not None)


def _lines_above(rows: list[list]) -> dict[str, str]:
    """"填报单位:临川区司法局  填报日期:2026年10月9日" in one cell, or label and value in neighbouring cells."""
    found = {}
    for row in rows:
        cells = [text_of(cell) for cell in row if cell is not None and text_of(cell)]
        for index, cell in enumerate(cells):
            for label, value in re.findall(r"([^\s:]+?)(?:\([^)]*\))?:\s*(.*?)(?=\s+[^\s:]+?(?:\([^)]*\))?:|$)", cell):
                if not value and index + 1 < len(cells) and not column_of(cells[index + 1]):
                    value = cells[index + 1]
                field = column_of(label)
                if field in LABELS and value.strip():
                    found.setdefault(field, value.strip())
    return found
