"""Excel ledgers (台账): rows of progress reports, and the template a district fills in.

The first row holds the headers, each in Chinese, English or both ("单位 unit"). Known columns map
to the progress-reported contract; every other non-empty header is an indicator (its value goes into
`indicator_values` under the header as written). A bad row is reported by its row number in the
sheet and does not stop the others.
"""

import datetime as dt
import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import openpyxl
from pydantic import ValidationError

from shared.contracts import ProgressReport

# (field, Chinese label) in template order; a header names a field by either.
COLUMNS = [
    ("measure_id", "措施编号"),
    ("unit", "单位"),
    ("region_code", "区划代码"),
    ("period", "周期"),
    ("percent_complete", "完成百分比"),
    ("status", "状态"),
    ("narrative", "进展情况"),
    ("reported_at", "填报时间"),
    ("evidence", "佐证材料"),
]
REQUIRED = ("measure_id", "unit", "region_code", "period", "percent_complete", "status")
STATUS_WORDS = {"未开始": "not_started", "进行中": "in_progress", "推进中": "in_progress",
                "已完成": "completed", "完成": "completed", "受阻": "blocked", "停滞": "blocked"}
# Excel stores times without a zone; a Chinese office's ledger means China Standard Time.
LEDGER_ZONE = ZoneInfo("Asia/Shanghai")
LEDGER_EVENTS = uuid.UUID("8e1f4f0c-6a0b-4b9e-b5d2-4a1c2e9d7f30")
EXAMPLE_INDICATOR = "行政机关负责人出庭应诉率"


class LedgerError(ValueError):
    """The workbook as a whole cannot be read (not .xlsx, no header row, required columns missing)."""


@dataclass(frozen=True)
class LedgerRow:
    row: int  # as Excel numbers it: the header is row 1
    report: ProgressReport
    event_id: str


@dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: str


def column_of(header) -> str | None:
    """The contract field a header names, or None for an indicator column."""
    text = str(header or "").strip()
    for field, label in COLUMNS:
        if text == field or text == label or text.startswith(label + " ") or text.endswith(" " + field):
            return field
    return None


def read_rows(headers: Sequence, rows: Iterable[tuple[int, Sequence]]) -> tuple[list[LedgerRow], list[RejectedRow]]:
    """Cell values (as openpyxl gives them) -> reports; rows are (row number, values)."""
    fields = [column_of(header) for header in headers]
    missing = [field for field in REQUIRED if field not in fields]
    if missing:
        raise LedgerError(f"the header row lacks the column(s) {', '.join(missing)}")
    good, bad = [], []
    for number, values in rows:
        if all(value in (None, "") for value in values):
            continue  # blank lines between blocks of a ledger are common
        try:
            record, timed = _record(headers, fields, values)
            report = ProgressReport.model_validate(record)
        except (ValidationError, ValueError) as error:
            bad.append(RejectedRow(number, _reason(error)))
            continue
        good.append(LedgerRow(number, report, _event_id(report, timed)))
    return good, bad


def _record(headers: Sequence, fields: list[str | None], values: Sequence) -> tuple[dict, bool]:
    record: dict = {"indicator_values": {}}
    for header, field, value in zip(headers, fields, values, strict=False):
        if value in (None, ""):
            continue
        if field is None:
            if str(header or "").strip():
                record["indicator_values"][str(header).strip()] = _number(value, str(header).strip())
        elif field == "percent_complete":
            record[field] = _number(value, field)
        elif field == "status":
            record[field] = STATUS_WORDS.get(str(value).strip(), str(value).strip())
        elif field == "reported_at":
            record[field] = _time(value)
        elif field == "evidence":
            record[field] = [item.strip() for item in re.split(r"[\n;；]", str(value)) if item.strip()]
        else:  # codes and periods typed as numbers (361002, 2026) are still codes and periods
            record[field] = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    return record, "reported_at" in record


def _number(value, field: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{field}: expected a number, got {value}")
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().rstrip("%").strip())
    except ValueError:
        raise ValueError(f"{field}: expected a number, got {value!r}") from None


def _time(value):
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=LEDGER_ZONE)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), LEDGER_ZONE)
    return str(value).strip()  # ISO text: the contract checks it has a zone


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, item['loc'])) or 'row'}: {item['msg']}" for item in error.errors())
    return str(error)


def _event_id(report: ProgressReport, timed: bool) -> str:
    """The same row imported twice is one event; without a 填报时间 the import time does not count."""
    content = report.model_dump(mode="json", exclude=set() if timed else {"reported_at"})
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return str(uuid.uuid5(LEDGER_EVENTS, digest))


def read_workbook(content: bytes) -> tuple[list[LedgerRow], list[RejectedRow]]:
    """The first sheet of an .xlsx workbook."""
    try:
        sheet = openpyxl.load_workbook(io.BytesIO(content), data_only=True).worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise LedgerError(f"not an .xlsx workbook: {type(error).__name__}") from error
    rows = sheet.iter_rows()
    header_cells = next(rows, None)
    if header_cells is None:
        raise LedgerError("the workbook is empty")
    headers = [cell.value for cell in header_cells]
    return read_rows(headers, ((cells[0].row, [_cell_value(cell) for cell in cells]) for cells in rows))


def _cell_value(cell):
    # A cell formatted as a percentage holds 0.8 for what the unit sees and means as 80 %.
    if isinstance(cell.value, int | float) and "%" in (cell.number_format or ""):
        return cell.value * 100
    return cell.value


def template_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账 ledger"
    sheet.append([f"{label} {field}" for field, label in COLUMNS] + [EXAMPLE_INDICATOR])
    sheet.append(["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", "已完成年度应诉案件统计",
                  dt.datetime(2026, 10, 8, 9, 30), "https://example.org/evidence/1.pdf", 96.5])
    for column, width in zip("ABCDEFGHIJ", (18, 16, 12, 10, 12, 10, 30, 18, 30, 24), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("说明 notes")
    for line in [
        ["每行一条进展报告 One progress report per row; the header row may be in Chinese, English or both."],
        ["周期 period: 2026, 2026-H1, 2026-Q3, 2026-10"],
        ["状态 status: 未开始 not_started, 进行中 in_progress, 已完成 completed, 受阻 blocked"],
        ["完成百分比 percent_complete: 0–100, as the unit judges it"],
        ["填报时间 reported_at: optional; times without a zone are China Standard Time (UTC+8)"],
        ["佐证材料 evidence: optional links or file references, one per line or separated by ;"],
        ["Any other column is an indicator: its header is the indicator's name, its cells numbers."],
    ]:
        notes.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
