"""Task tables (任务分工表) of a Word plan, as the plan text the parser reads.

A task table has a header row of labels (序号, 工作任务, 牵头单位, 责任单位, 完成时限 …), perhaps under a title
row or two, then one row per measure; a grouping column (任务类别, 重点领域 …) merged over several rows names
the chapter. Columns are found by their labels, never by position. Merged cells (ECMA-376 §17.4.85 vMerge,
§17.4.17 gridSpan) are read by their origin cell: a vertical continuation takes the value above it, a cell
spanning columns is one value, and two different cells holding equal text are two values.

Each data row becomes ``N.任务。完成时限:….(牵头单位:…;责任单位:…)``: the deadline as a sentence of the
measure's text and the units in the bracketed block the parser reads; a task cell merged down over rows
gives one measure with one such block per row. Rows of a single merged cell, or with a chapter's 序号
(一, (二)) and a title only, are headings. A table without a task header is passed on as lines of its
distinct cells.
"""

import re
from dataclasses import dataclass

from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from services.intake.domain.documents.numbering import FORMATS
from services.intake.domain.plans.layout import marker

# Labels by column role, tried in this order; a label matches when it holds one of these words.
ROLES = (
    ("number", re.compile(r"^(序号|编号|序)$")),
    ("lead", re.compile(r"牵头|主办|主责")),
    ("responsible", re.compile(r"责任单位|责任部门|配合|协办|参与单位|参加单位|协同|落实单位|实施单位")),
    ("deadline", re.compile(r"时限|完成时间|时间要求|时间节点|完成期限|进度安排|时间安排")),
    ("target", re.compile(r"目标|成效|标准|成果形式")),
    ("group", re.compile(r"类别|分类|领域|板块|方面|项目类型")),
    ("task", re.compile(r"任务|措施|工作内容|具体内容|主要内容|工作事项|事项")),
)
_HEADER_ROWS = 5  # the header sits within the first rows, under a title or two
_SPACE = re.compile(r"\s+")
_UNIT_SEPARATORS = re.compile(r"[\n、,，;；]+")
_CHAPTER = re.compile(r"[一二三四五六七八九十]+、")
_CHAPTER_NUMBER = re.compile(r"[一二三四五六七八九十]+|[(（][一二三四五六七八九十]+[)）]")
_OWN_NUMBER = re.compile(r"^(?:[(（]?[一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])\s*")


@dataclass(frozen=True)
class _Cell:
    # The w:tc element that holds the value (a continuation points at the one above). The element itself,
    # not id(tc): lxml makes element proxies on access, and a freed proxy's id is reused by the next one.
    origin: object
    text: str


def _cell_text(tc) -> str:
    """Paragraphs and line breaks as newlines (units are often listed one per line)."""
    return "\n".join(Paragraph(p, None).text.strip() for p in tc.iterfind(qn("w:p"))).strip()


def grid(table) -> list[list[_Cell]]:
    """The table's rows as cells per grid column, merged cells resolved to their origin cell."""
    rows: list[list[_Cell]] = []
    for tr in table.iterfind(qn("w:tr")):
        row: list[_Cell] = []
        tr_pr = tr.find(qn("w:trPr"))
        before = tr_pr.find(qn("w:gridBefore")) if tr_pr is not None else None
        if before is not None:
            row += [_Cell(object(), "") for _ in range(int(before.get(qn("w:val"), "0")))]
        for tc in tr.iterfind(qn("w:tc")):
            tc_pr = tc.find(qn("w:tcPr"))
            span = tc_pr.find(qn("w:gridSpan")) if tc_pr is not None else None
            merge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
            column = len(row)
            if merge is not None and merge.get(qn("w:val"), "continue") == "continue" and rows \
                    and column < len(rows[-1]):
                cell = rows[-1][column]
            else:
                cell = _Cell(tc, _cell_text(tc))
            row += [cell] * (int(span.get(qn("w:val"), "1")) if span is not None else 1)
        rows.append(row)
    return rows


def _role(label: str) -> str | None:
    label = _SPACE.sub("", label)
    return next((role for role, pattern in ROLES if label and pattern.search(label)), None)


def _header(rows: list[list[_Cell]]) -> tuple[int, dict[str, list[int]]] | None:
    """(index of the last header row, grid columns by role) when a task header is in the first rows.

    A header over two rows (责任单位 merged above 牵头单位 | 配合单位) takes each column's lower label
    when that one names a role."""
    for index, row in enumerate(rows[:_HEADER_ROWS]):
        roles = [_role(cell.text) if len(cell.text) <= 12 else None for cell in row]
        if "task" not in roles or not {"lead", "responsible", "deadline"} & set(roles):
            continue
        last = index
        if index + 1 < len(rows):
            below = [_role(cell.text) if len(cell.text) <= 12 else None for cell in rows[index + 1]]
            if sum(role is not None for role in below) >= 2 and len(below) == len(roles):
                roles, last = [b or r for r, b in zip(roles, below, strict=True)], index + 1
        columns: dict[str, list[int]] = {}
        for column, role in enumerate(roles):
            if role:
                columns.setdefault(role, []).append(column)
        return last, columns
    return None


def _values(row: list[_Cell], columns: list[int]) -> list[str]:
    """The distinct cells' texts in these columns: one value per cell, equal texts of different cells kept."""
    cells = list({row[c].origin: row[c] for c in columns if c < len(row)}.values())
    return [cell.text for cell in cells if cell.text]


def _units(row: list[_Cell], columns: list[int]) -> str:
    return "、".join(name.strip() for value in _values(row, columns)
                    for name in _UNIT_SEPARATORS.split(value) if name.strip())


def _sentence(text: str) -> str:
    text = text.replace("\n", "")
    return text if not text or text.endswith(("。", "!", "?", "！", "？", ";", "；")) else text + "。"


def plan_lines(table) -> list[str]:
    """The table as lines of plan text (see the module's docstring)."""
    rows = grid(table)
    found = _header(rows)
    if found is None:
        return [" ".join(_values(row, list(range(len(row))))) for row in rows]
    last, columns = found
    header = [cell.text for cell in rows[last]]
    lines, chapter, count, previous_task = [], None, 0, None
    for row in rows[last + 1:]:
        if [cell.text for cell in row] == header:
            continue  # the header repeated at the top of the next page
        heading = _heading_row(row, columns)
        if heading:
            lines.append(heading if marker(heading) else _chapter_heading(heading, _headings(lines) + 1))
            continue
        group = "".join(_values(row, columns.get("group", [])))
        task = "".join(_sentence(value) for value in _values(row, columns["task"]))
        if group and group != chapter:
            chapter = group
            lines.append(_chapter_heading(group, _headings(lines) + 1))
        if not task:
            continue
        task_cells = {row[c].origin for c in columns["task"] if c < len(row)}
        if task_cells == previous_task:  # the task merged down over rows of its own units and deadlines
            lines[-1] += _assignment(row, columns)
            continue
        previous_task, count = task_cells, count + 1
        number = "".join(_values(row, columns.get("number", []))).rstrip(".、")
        number = number if number.isdigit() else str(count)
        target = "".join(_sentence(value) for value in _values(row, columns.get("target", [])))
        lines.append(f"{number}.{task}{target}{_assignment(row, columns)}")
    return lines


def _assignment(row: list[_Cell], columns: dict[str, list[int]]) -> str:
    """The row's deadline as a sentence and its units as one bracketed block (牵头单位:…;责任单位:…)."""
    deadline = "".join(_values(row, columns.get("deadline", [])))
    units = [f"{label}:{names}" for label, names in (("牵头单位", _units(row, columns.get("lead", []))),
                                                      ("责任单位", _units(row, columns.get("responsible", []))))
             if names]
    return (f"完成时限:{_sentence(deadline)}" if deadline else "") + (f"({';'.join(units)})" if units else "")


def _heading_row(row: list[_Cell], columns: dict[str, list[int]]) -> str | None:
    """The heading a row between the tasks carries: one cell merged over the whole row ("一、依法全面履行
    政府职能"), or a 序号 of a chapter or section ("一", "（二）") with a task text and nothing else."""
    if len(row) > 1 and len({cell.origin for cell in row}) == 1:
        return row[0].text.replace("\n", "") or None
    number = "".join(_values(row, columns.get("number", [])))
    if not _CHAPTER_NUMBER.fullmatch(number):
        return None
    rest = [value for role, at in columns.items() if role not in ("number", "task", "group")
            for value in _values(row, at)]
    title = "".join(_values(row, columns["task"]))
    return None if rest or not title else (number if number.startswith(("(", "（")) else number + "、") + title


def _headings(lines: list[str]) -> int:
    return sum(1 for line in lines if _CHAPTER.match(line))


def _chapter_heading(group: str, ordinal: int) -> str:
    """A grouping value as a chapter heading "一、…", numbered in order of appearance (its own number, if it
    has one such as "(一)" or "1.", is replaced: the parser needs the chapter level)."""
    title = _OWN_NUMBER.sub("", group) or group
    return f"{FORMATS['chineseCounting'](ordinal)}、{title}"
