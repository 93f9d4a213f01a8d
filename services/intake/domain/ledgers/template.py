"""The ledger template a district downloads, fills in and uploads back: headers in Chinese and English, notes,
drop-downs for 状态 and 周期, and the header row protected.

Blank (`template_workbook()`): one example row. Pre-filled for a unit (`template_workbook(assignments)`, the
tracker's `GET /v1/units/{unit}/assignments`): one row per assignment with its measure id, title, unit and
region code locked, the period set (default the current quarter), its current status and percent complete to update,
and one column per indicator of the unit's measures' targets (cells of measures without that indicator greyed
and locked). What the unit types stays editable; the sheet is protected without a password (against
slips, not people: Excel's 撤销工作表保护 lifts it), so rows can still be inserted and columns widened.

Drop-down choices are on a hidden sheet 选项: the statuses read_status reads back, and the periods of last year
and this one (year, halves, quarters, months) as progress reports label them. Every text from outside is
written so that it never becomes a formula (shared/cells.py).
"""

import datetime as dt
import io
from collections.abc import Sequence

import openpyxl
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from services.intake.domain.ledgers.layout import LABELS
from services.intake.domain.ledgers.values import PERCENT_FORMS, PERIOD_FORMS, STATUS_WORDS, TIME_FORMS
from shared.cells import write_cell
from shared.domain.calendar import today_in_china

EXAMPLE_INDICATOR = "行政机关负责人出庭应诉率"
TITLE_HEADER = "措施名称 title"  # context for the people filling it in, not read back as a report
# The word offered per status in the drop-down (each is one of STATUS_WORDS, so read_status reads it back).
STATUS_CHOICES = {"not_started": "未启动", "in_progress": "推进中", "completed": "已完成", "blocked": "受阻"}
FIELDS = list(LABELS)  # measure_id, unit, region_code, period, percent_complete, status, narrative, ...
LOCKED_FIELDS = ("measure_id", "unit", "region_code")  # a pre-filled row's identity
WIDTHS = {"measure_id": 18, "unit": 18, "region_code": 12, "period": 10, "percent_complete": 12, "status": 10,
          "narrative": 36, "reported_at": 18, "evidence": 30}
EDITABLE_ROWS = 500  # rows below the header left editable in a blank template (more may be inserted)
LISTS = "选项"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NOT_APPLICABLE = PatternFill("solid", fgColor="D9D9D9")
UNLOCKED, LOCKED = Protection(locked=False), Protection(locked=True)


def period_choices(today: dt.date) -> list[str]:
    """Last year's and this year's periods, this year's first: 2026, 2026-H1, 2026-H2, 2026-Q1 … 2026-12, 2025 …"""
    return [label for year in (today.year, today.year - 1) for label in (
        str(year), *(f"{year}-H{h}" for h in (1, 2)), *(f"{year}-Q{q}" for q in range(1, 5)),
        *(f"{year}-{m:02d}" for m in range(1, 13)))]


def current_quarter(today: dt.date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def template_workbook(assignments: Sequence[dict] | None = None, today: dt.date | None = None,
                      period: str | None = None) -> bytes:
    """The template: blank with an example row, or pre-filled with `assignments` (the tracker's unit assignments:
    measure_id, unit, region_code, title, status, percent_complete, targets), reporting on `period` (default
    the current quarter)."""
    today = today or today_in_china()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账 ledger"
    if assignments is None:
        indicators = [EXAMPLE_INDICATOR]
        rows = [_example()]
    else:
        indicators = list(dict.fromkeys(t["indicator"] for a in assignments for t in a.get("targets") or []))
        rows = [_prefilled(a, period or current_quarter(today)) for a in assignments]
    headers = _headers(indicators)
    for column, header in enumerate(headers, start=1):
        cell = write_cell(sheet.cell(1, column), header)
        cell.font, cell.fill, cell.protection = Font(bold=True), HEADER_FILL, LOCKED
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS.get(_field(header), 24)
    last = 1 + (len(rows) if assignments is not None else EDITABLE_ROWS)
    for row in range(2, last + 1):
        for column in range(1, len(headers) + 1):
            sheet.cell(row, column).protection = UNLOCKED
    for offset, values in enumerate(rows, start=2):
        for column, header in enumerate(headers, start=1):
            cell = write_cell(sheet.cell(offset, column), values.get(_field(header) or header))
            if assignments is not None and (_field(header) in (*LOCKED_FIELDS, "title")):
                cell.protection = LOCKED
            elif assignments is not None and header in indicators and header not in values["indicators"]:
                cell.protection, cell.fill = LOCKED, NOT_APPLICABLE
    sheet.freeze_panes = "B2"
    _drop_downs(book, sheet, headers, last, today)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = sheet.protection.insertRows = False
    _notes(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _headers(indicators: list[str]) -> list[str]:
    headers = [f"{LABELS[field][0]} {field}" for field in FIELDS]
    headers.insert(1, TITLE_HEADER)
    return headers + indicators


def _field(header: str) -> str | None:
    """The field a template header names ("title" for 措施名称), None for an indicator."""
    if header == TITLE_HEADER:
        return "title"
    name = header.rpartition(" ")[2]
    return name if name in LABELS else None


def _example() -> dict:
    return {"measure_id": "fuzhou-2022-17", "title": "严格落实行政机关负责人出庭应诉制度", "unit": "临川区政府",
            "region_code": "361002", "period": "2026-Q3", "percent_complete": 80, "status": "推进中",
            "narrative": "已完成年度应诉案件统计", "reported_at": dt.datetime(2026, 10, 8, 9, 30),
            "evidence": "https://example.org/evidence/1.pdf", EXAMPLE_INDICATOR: 96.5,
            "indicators": {EXAMPLE_INDICATOR}}


def _prefilled(assignment: dict, period: str) -> dict:
    number = assignment.get("number")
    title = assignment.get("title") or ""
    return {"measure_id": assignment["measure_id"], "title": f"{number}. {title}" if number is not None else title,
            "unit": assignment["unit"], "region_code": assignment["region_code"], "period": period,
            "percent_complete": assignment.get("percent_complete") or 0,
            "status": STATUS_CHOICES.get(assignment.get("status"), STATUS_CHOICES["not_started"]),
            "indicators": {t["indicator"] for t in assignment.get("targets") or []}}


def _drop_downs(book, sheet, headers: list[str], last: int, today: dt.date) -> None:
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    choices = {"status": list(STATUS_CHOICES.values()), "period": period_choices(today)}
    for column, (field, values) in enumerate(choices.items(), start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row, column, value)
        letter = get_column_letter(column)
        target = get_column_letter([_field(h) for h in headers].index(field) + 1)
        label = LABELS[field][0]
        validation = DataValidation(
            type="list", formula1=f"={LISTS}!${letter}$1:${letter}${len(values)}", allow_blank=True,
            showDropDown=False,  # (sic) openpyxl's flag hides the arrow when True
            showErrorMessage=True, errorTitle=f"{label}无效", error=f"请从下拉列表中选择{label}",
            showInputMessage=True, promptTitle=label, prompt=f"请选择{label}")
        validation.add(f"{target}2:{target}{last}")
        sheet.add_data_validation(validation)


def _notes(book) -> None:
    notes = book.create_sheet("说明 notes", 1)
    statuses = "; ".join(f"{status}: {'/'.join(words)}" for status, words in STATUS_WORDS.items())
    for line in [
        "每行一条进展报告 One progress report per row; the header row may be in Chinese, English or both, "
        "below title rows, over one or two rows.",
        f"周期 period: {PERIOD_FORMS}（下拉选择 pick from the list）",
        f"状态 status: {statuses}（下拉选择 pick from the list）",
        f"完成百分比 percent_complete: 0–100, as the unit judges it: {PERCENT_FORMS}",
        f"填报时间 reported_at: {TIME_FORMS}; times without a zone are China Standard Time (UTC+8). Optional: "
        "a row without one takes a 填报日期 line above the header, else the time the workbook was last saved.",
        "佐证材料 evidence: optional links or file references, one per line or separated by ;",
        "备注 remarks go into the narrative; any other column is an indicator: its header is the indicator's name, "
        "its cells numbers.",
        "表头和预填的措施编号、措施名称、单位、区划代码已锁定（工作表保护，无密码）。The header and a pre-filled row's "
        "identity are locked (sheet protection without a password).",
    ]:
        notes.append([line])
