"""The reports as files: Excel workbooks formatted for printing, and CSV that Excel opens correctly.

Pure: takes the reports the API answers (snapshot.py) and returns bytes. Headers are in Chinese; a
workbook has one sheet per level, each with column widths, a styled header row, frozen panes, the header
row repeated on every printed page, landscape A4 fitted to the page width. CSV is UTF-8 with a byte-order
mark (without it Excel reads the Chinese as the local code page). No text becomes a formula, in either
(shared/cells.py: names, titles and narratives come from outside).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.reporting.domain.lights import LIGHT_NAMES
from shared.cells import csv_text, write_cell

LEVELS = {"city": "市级", "county": "县级", "township": "乡镇级"}
STATUS_NAMES = {"completed": "已完成", "awaiting_verification": "已申请办结待核查", "in_progress": "推进中",
                "not_started": "未启动", "blocked": "受阻"}
LIGHT_FILLS = {"red": "E74C3C", "yellow": "F1C40F", "green": "2ECC71"}  # the 亮灯 cell's colour


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float = 10
    percent: bool = False


FIGURES = [
    Column("light_name", "亮灯", 8),
    Column("assignments", "任务分解数"),
    Column("completed", "已完成(已销号)", 11),
    Column("completed_on_time", "按期完成"),
    Column("awaiting_verification", "已申请办结待核查", 12),
    Column("in_progress", "推进中"),
    Column("not_started", "未启动"),
    Column("blocked", "受阻"),
    Column("overdue", "逾期"),
    Column("lagging", "滞后"),
    Column("silent", "未按期报送"),
    Column("average_percent_complete", "平均进度(%)", 11, True),
    Column("completion_rate", "完成率(%)", 10, True),
    Column("on_time_rate", "按期完成率(%)", 12, True),
    Column("units", "责任单位数", 10),
    Column("units_reported", "本期报送单位", 12),
    Column("reporting_rate", "报送率(%)", 10, True),
    Column("targets_reported", "已报指标数", 10),
    Column("targets_met", "达标指标数", 10),
    Column("attainment_rate", "指标达标率(%)", 12, True),
    Column("lights_red", "红灯数", 8),
    Column("lights_yellow", "黄灯数", 8),
    Column("lights_green", "绿灯数", 8),
]
REGION = [Column("region_code", "区划代码", 12), Column("name", "区域", 16), Column("level_name", "层级", 8)]
UNIT = [Column("unit_name", "责任单位", 28), Column("unit", "单位编码", 22), Column("region_code", "所属区划", 12)]

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def region_sheets(report: dict, units: list[dict]) -> list[tuple[str, list[Column], list[dict]]]:
    """(sheet title, columns, rows) for the region itself, its child regions and its units."""
    own = {**report["own_units"], "region_code": report["region_code"], "name": f"{report['name'] or ''}(本级单位)",
           "level": report["level"]}
    region_rows = [_region_row(report), _region_row(own)]
    return [
        ("本级汇总", REGION + FIGURES, region_rows),
        ("下级区域", REGION + FIGURES, [_region_row(child) for child in report["children"]]),
        ("责任单位", UNIT + FIGURES, [_lit(unit) for unit in units]),
    ]


def _region_row(row: dict) -> dict:
    return _lit({**row, "level_name": LEVELS.get(row.get("level"), row.get("level") or "")})


def _lit(row: dict) -> dict:
    """The row with its light in Chinese (红灯, 黄灯, 绿灯; none when nothing beneath it is lit)."""
    return {**row, "light_name": LIGHT_NAMES.get(row.get("light"))}


def figure_columns(*keys: str) -> list[Column]:
    """The FIGURES columns of these keys, in the order given."""
    by_key = {column.key: column for column in FIGURES}
    return [by_key[key] for key in keys]


def workbook_bytes(title: str, subtitle: str, sheets: Iterable[tuple[str, Sequence[Column], list[dict]]]) -> bytes:
    """One sheet per (title, columns, rows): a title line, a subtitle line, the header, the rows."""
    book = Workbook()
    book.remove(book.active)
    for sheet_title, columns, rows in sheets:
        _fill(book.create_sheet(sheet_title), f"{title} · {sheet_title}", subtitle, columns, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER_ROW = 3  # row 1: title, row 2: subtitle (as-of date, period), row 3: the header


def _fill(sheet: Worksheet, title: str, subtitle: str, columns: Sequence[Column], rows: list[dict]) -> None:
    write_cell(sheet["A1"], title).font = Font(bold=True, size=14)
    write_cell(sheet["A2"], subtitle).font = Font(color="555555")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(HEADER_ROW, index, column.header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[HEADER_ROW].height = 32
    for offset, row in enumerate(rows, start=1):
        for index, column in enumerate(columns, start=1):
            cell = write_cell(sheet.cell(HEADER_ROW + offset, index), _cell_value(row.get(column.key)))
            cell.border = BORDER
            if column.percent:
                cell.number_format = "0.0"
            if column.key == "light_name" and (fill := LIGHT_FILLS.get(row.get("light"))):
                cell.fill = PatternFill("solid", fgColor=fill)
            if isinstance(cell.value, str) and column.width >= 20:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, _frozen_columns(columns) + 1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "第 &P 页,共 &N 页"
    if rows:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{HEADER_ROW + len(rows)}"


def _frozen_columns(columns: Sequence[Column]) -> int:
    """Keep the naming columns (before the first figure) in view when scrolling sideways."""
    keys = [column.key for column in columns]
    return keys.index("assignments") if "assignments" in keys else 0


def _cell_value(value):
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return value


def csv_bytes(sheets: Iterable[tuple[str, Sequence[Column], list[dict]]]) -> bytes:
    """All sheets in one CSV, each row led by its sheet's title (层级), the headers of all columns once."""
    sheets = list(sheets)
    columns: list[Column] = []
    for _, sheet_columns, _ in sheets:
        columns += [column for column in sheet_columns if column.key not in {c.key for c in columns}]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["报表", *(column.header for column in columns)])
    for title, _, rows in sheets:
        for row in rows:
            writer.writerow([title, *(_csv_value(row.get(column.key)) for column in columns)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _csv_value(value):
    value = _cell_value(value)
    return "" if value is None else csv_text(value)


MEASURE = [Column("number", "序号", 6), Column("title", "措施", 36), Column("chapter", "篇章", 22),
           Column("lead_units", "牵头单位", 18), Column("deadlines", "时限要求", 16),
           Column("status_name", "落实状态", 10)]
MEASURE_TAIL = [Column("narratives", "工作进展(本年度报送)", 48), Column("evidence", "佐证材料", 30)]
OVERDUE = [Column("number", "序号", 6), Column("title", "措施", 32), Column("unit_name", "责任单位", 24),
           Column("region_name", "所属区域", 12), Column("region_code", "区划代码", 12),
           Column("status_name", "当前状态", 10), Column("percent_complete", "进度(%)", 9),
           Column("due", "应完成日期", 12), Column("days_overdue", "逾期天数", 10)]


def annual_sheets(report: dict) -> list[tuple[str, list[Column], list[dict]]]:
    """The annual dataset's sheets: regions, measures with their narrative and evidence, overdue items."""
    figures = report["figures"]
    measures = [{**row, "narratives": [f"{r['unit_name']}({r['reported_on'] or '—'}): {r['narrative']}"
                                       for r in row["reports"] if r["narrative"]]}
                for row in report["measures"]]
    overdue = [{**row, "status_name": STATUS_NAMES.get(row["status"], row["status"])} for row in report["overdue"]]
    return [
        ("区域汇总", REGION + FIGURES, [_region_row(figures), *(_region_row(c) for c in figures["children"])]),
        ("措施落实情况", MEASURE + figure_columns(
            "light_name", "assignments", "completed", "completed_on_time", "awaiting_verification", "in_progress",
            "not_started", "blocked", "overdue", "lagging") + MEASURE_TAIL, [_lit(row) for row in measures]),
        ("逾期事项", OVERDUE, overdue),
    ]
