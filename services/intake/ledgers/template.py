"""The ledger template a district downloads: headers in Chinese and English, an example row, notes."""

import datetime as dt
import io

import openpyxl

from services.intake.ledgers.layout import LABELS
from services.intake.ledgers.values import PERCENT_FORMS, PERIOD_FORMS, STATUS_WORDS, TIME_FORMS

EXAMPLE_INDICATOR = "行政机关负责人出庭应诉率"


def template_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账 ledger"
    sheet.append([f"{labels[0]} {field}" for field, labels in LABELS.items()] + [EXAMPLE_INDICATOR])
    sheet.append(["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", "已完成年度应诉案件统计",
                  dt.datetime(2026, 10, 8, 9, 30), "https://example.org/evidence/1.pdf", 96.5])
    for column, width in zip("ABCDEFGHIJ", (18, 16, 12, 10, 12, 10, 30, 18, 30, 24), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("说明 notes")
    statuses = "; ".join(f"{status}: {'/'.join(words)}" for status, words in STATUS_WORDS.items())
    for line in [
        "每行一条进展报告 One progress report per row; the header row may be in Chinese, English or both, "
        "below title rows, over one or two rows.",
        f"周期 period: {PERIOD_FORMS}",
        f"状态 status: {statuses}",
        f"完成百分比 percent_complete: 0–100, as the unit judges it: {PERCENT_FORMS}",
        f"填报时间 reported_at: {TIME_FORMS}; times without a zone are China Standard Time (UTC+8). Optional: "
        "a row without one takes a 填报日期 line above the header, else the time the workbook was last saved.",
        "佐证材料 evidence: optional links or file references, one per line or separated by ;",
        "备注 remarks go into the narrative; any other column is an indicator: its header is the indicator's name, "
        "its cells numbers.",
    ]:
        notes.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
