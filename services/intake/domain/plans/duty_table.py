"""A 责任分工 table given as text after a plan's body: the units of measures written without them.

Plans often list their tasks in the body and leave who does what to a trailing table, which a Word
or PDF extraction flattens to one row a line with the cells separated by whitespace:

    附件:重点任务责任分工表
    序号 工作任务 牵头单位 责任单位 完成时限
    1 推行证明事项告知承诺制 县司法局 县直各部门 2024年底前

The header names 序号 and a 牵头单位 or 责任单位 column; the rows that follow open with the next
number (1, 2, 3 …) and have one cell per column. Cells are separated by tabs where the text has
them (an empty cell then shows: a vertically merged cell, which holds the value of the cell above),
else by runs of whitespace (Chinese cells carry no spaces). Each row becomes a unit block written
as the plan would have written it, ``〔牵头单位:…;责任单位:…;完成时限:…〕``, for the parser to append
to the measure of that number, so units, deadlines and notes follow the rules of units.py and
deadlines.py; a table with no such measures in the text above is the plan itself (a task table),
each row a measure titled by its task.
"""
import re
from dataclasses import dataclass

from .layout import normalize

_COLUMNS = {
    "number": re.compile(r"序号|编号"),
    "task": re.compile(r".*(?:任务|措施|内容|事项)"),
    "牵头单位": re.compile(r"牵头(?:单位|部门)"),
    "责任单位": re.compile(r"责任(?:单位|部门)|配合单位|参加单位"),
    "完成时限": re.compile(r"完成时[限间]|时间要求|时限(?:要求)?"),
}
_CAPTION = re.compile(r"分工|附件|附表")
_UNIT_COLUMNS = ("牵头单位", "责任单位")


def _spread(cells: list[str], columns: list[str]) -> list[str] | None:
    """A row with fewer cells than columns, whose unit cell spans both unit columns (a horizontally
    merged cell: 县司法局 leads and answers): the columns before the units read from the left, those
    after from the right, the merged unit cell repeated. None when the row does not fit so."""
    units = [index for index, name in enumerate(columns) if name in _UNIT_COLUMNS]
    if not units:
        return None
    first, last = units[0], units[-1]
    tail = len(columns) - last - 1
    middle = cells[first:len(cells) - tail]
    if not 1 <= len(middle) < len(units) or len(cells) - tail < first:
        return None
    middle += [middle[-1]] * (len(units) - len(middle))
    return cells[:first] + middle + cells[len(cells) - tail:]


@dataclass(frozen=True)
class DutyRow:
    number: int
    task: str
    block: str  # "〔牵头单位:…;责任单位:…;完成时限:…〕"
    filled: tuple[str, ...] = ()  # columns whose empty cell took the value above (merged down)
    spanned: bool = False  # one unit cell spans 牵头单位 and 责任单位 (merged across)


def find_duty_table(lines: list[str]) -> tuple[list[str], list[DutyRow]]:
    """The lines without the table (and its caption), and the table's rows; the lines unchanged and
    no rows when there is no such table. ``lines`` as written: tabs still tell cells apart."""
    for index, line in enumerate(lines):
        columns = _header(line)
        if not columns:
            continue
        rows, end, above = [], index + 1, {}
        while end < len(lines) and (row := _row(lines[end], columns, len(rows) + 1, above)):
            rows.append(row)
            end += 1
        if rows:
            start = index - 1 if index and _CAPTION.search(lines[index - 1]) and len(lines[index - 1]) <= 40 \
                else index
            return lines[:start] + lines[end:], rows
    return lines, []


def _cells(line: str) -> list[str]:
    line = line.strip()
    return [normalize(cell).strip() for cell in line.split("\t")] if "\t" in line else normalize(line).split()


def _header(line: str) -> list[str] | None:
    cells = _cells(line)
    if len(cells) < 3:
        return None
    columns = [next((name for name, pattern in _COLUMNS.items() if pattern.fullmatch(cell)), "") for cell in cells]
    if columns[0] != "number" or not {"牵头单位", "责任单位"} & set(columns):
        return None
    return columns


def _row(line: str, columns: list[str], number: int, above: dict[str, str]) -> DutyRow | None:
    """The row numbered ``number``; ``above`` keeps each column's last value for merged cells."""
    cells = _cells(line)
    if not cells or cells[0].rstrip(".、") != str(number):
        return None
    spread = cells if len(cells) == len(columns) else _spread(cells, columns)
    if spread is None:
        return None
    value = {name: cell or above.get(name, "") for name, cell in zip(columns, spread, strict=True)}
    filled = tuple(name for name, cell in zip(columns, spread, strict=True) if not cell and value[name])
    above.update(value)
    # units first: the deadline's label ends the unit lists (units.py)
    labelled = [f"{name}:{value[name]}" for name in ("牵头单位", "责任单位", "完成时限")
                if value.get(name, "-") not in ("", "-", "—", "/", "无")]
    return DutyRow(number, value.get("task", ""), "〔" + ";".join(labelled) + "〕", filled, spread is not cells)
