"""The ledger template: drop-downs for 状态 and 周期, the header protected, pre-filled per unit; filled in and read
back, it imports cleanly."""

import datetime as dt
import io

import openpyxl

from services.intake.domain.ledgers import read_workbook, template_workbook
from services.intake.domain.ledgers.template import STATUS_CHOICES, period_choices
from services.intake.domain.ledgers.values import read_period, read_status

TODAY = dt.date(2026, 11, 30)
ASSIGNMENTS = [  # as the tracker's GET /v1/units/{unit}/assignments answers
    {"measure_id": "fuzhou-2022-17", "number": 17, "title": "严格落实行政机关负责人出庭应诉制度", "unit": "361002.sfj",
     "unit_name": "临川区司法局", "region_code": "361002", "status": "in_progress", "percent_complete": 40,
     "targets": [{"text": "出庭应诉率达95%以上", "indicator": "行政机关负责人出庭应诉率", "comparator": ">=",
                  "value": 95}]},
    {"measure_id": "fuzhou-2022-18", "number": 18, "title": "=HYPERLINK(\"http://evil.example\",\"推进\")",
     "unit": "361002.sfj", "unit_name": "临川区司法局", "region_code": "361002", "status": "not_started",
     "percent_complete": 0, "targets": [{"text": "培训不少于60学时", "indicator": "培训学时", "comparator": ">=",
                                          "value": 60}]},
    {"measure_id": "fuzhou-2022-30", "number": 30, "title": "推进政务公开", "unit": "361002.sfj",
     "unit_name": "临川区司法局", "region_code": "361002", "status": "completed", "percent_complete": 100,
     "targets": []},
]


def load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def headers(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def validations(sheet) -> dict[str, tuple[str, str]]:
    """Per validated column letter: (its list's formula, the sqref)."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list" and validation.showErrorMessage
        found[str(validation.sqref)[0]] = (validation.formula1, str(validation.sqref))
    return found


def test_the_blank_template_offers_status_and_period_lists_and_protects_its_header():
    book = load(template_workbook(today=TODAY))
    sheet = book["台账 ledger"]
    columns = {header.split()[-1]: openpyxl.utils.get_column_letter(i) for i, header in enumerate(headers(sheet), 1)}
    found = validations(sheet)
    assert found[columns["status"]] == ("=选项!$A$1:$A$4", f"{columns['status']}2:{columns['status']}501")
    assert found[columns["period"]][0] == "=选项!$B$1:$B$38"
    lists = book["选项"]
    assert lists.sheet_state == "hidden"
    statuses = [lists.cell(row, 1).value for row in range(1, 5)]
    assert [read_status(word) for word in statuses] == list(STATUS_CHOICES)  # each choice reads back
    periods = [lists.cell(row, 2).value for row in range(1, 39)]
    assert periods == period_choices(TODAY) and periods[:4] == ["2026", "2026-H1", "2026-H2", "2026-Q1"]
    assert all(read_period(label) == label for label in periods)
    assert sheet.protection.sheet and not sheet.protection.insertRows
    assert all(cell.protection.locked for cell in sheet[1])
    assert not any(cell.protection.locked for cell in sheet[2]) and not sheet.cell(501, 1).protection.locked


def test_the_blank_template_still_reads_back_as_its_example_row():
    good, bad = read_workbook(template_workbook(today=TODAY))
    assert bad == [] and [row.row for row in good] == [2]


def test_a_units_template_is_prefilled_with_its_assignments_identity_locked():
    sheet = load(template_workbook(ASSIGNMENTS, TODAY))["台账 ledger"]
    names = headers(sheet)
    assert names[:3] == ["措施编号 measure_id", "措施名称 title", "单位 unit"]
    assert names[-2:] == ["行政机关负责人出庭应诉率", "培训学时"]  # one column per indicator of its targets
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["fuzhou-2022-17", "fuzhou-2022-18", "fuzhou-2022-30"]
    column = {name.split()[-1]: index for index, name in enumerate(names)}
    assert [row[column["status"]] for row in rows] == ["推进中", "未启动", "已完成"]
    assert [row[column["period"]] for row in rows] == ["2026-Q4"] * 3
    assert [row[column["percent_complete"]] for row in rows] == [40, 0, 100]
    hostile = sheet.cell(3, column["title"] + 1)
    assert hostile.data_type == "s" and hostile.value.startswith("18. =HYPERLINK")
    for row in range(2, 5):
        for field in ("measure_id", "title", "unit", "region_code"):
            assert sheet.cell(row, column[field] + 1).protection.locked, (row, field)
        for field in ("period", "percent_complete", "status", "narrative", "reported_at", "evidence"):
            assert not sheet.cell(row, column[field] + 1).protection.locked, (row, field)
    # An indicator a measure does not have is greyed and locked; its own is open.
    assert not sheet.cell(2, len(names) - 1).protection.locked and sheet.cell(2, len(names)).protection.locked
    assert sheet.cell(2, len(names)).fill.fgColor.rgb.endswith("D9D9D9")
    assert validations(sheet)  # the drop-downs cover the pre-filled rows
    assert all(ref.endswith("4") for _, ref in validations(sheet).values())


def test_a_filled_in_template_imports_cleanly_one_report_per_assignment():
    book = load(template_workbook(ASSIGNMENTS, TODAY))
    sheet = book["台账 ledger"]
    column = {name.split()[-1]: index + 1 for index, name in enumerate(headers(sheet))}
    filled = {2: (95, "已完成", "全年应诉案件均已出庭", 97.5, None), 3: (50, "推进中", "已组织两期培训", None, 32),
              4: (100, "已完成", "", None, None)}
    for row, (percent, status, narrative, rate, hours) in filled.items():
        sheet.cell(row, column["percent_complete"], percent)
        sheet.cell(row, column["status"], status)
        sheet.cell(row, column["narrative"], narrative or None)
        sheet.cell(row, column["reported_at"], dt.datetime(2026, 11, 28, 10, 0))
        sheet.cell(row, column["行政机关负责人出庭应诉率"], rate)
        sheet.cell(row, column["培训学时"], hours)
    buffer = io.BytesIO()
    book.save(buffer)
    good, bad = read_workbook(buffer.getvalue(), "ledger.xlsx", now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    assert bad == []
    reports = [row.report for row in good]
    assert [(r.measure_id, r.unit, r.region_code, r.period) for r in reports] == [
        (a["measure_id"], "361002.sfj", "361002", "2026-Q4") for a in ASSIGNMENTS]
    assert [(r.percent_complete, r.status.value) for r in reports] == [
        (95, "completed"), (50, "in_progress"), (100, "completed")]
    assert reports[0].indicator_values == {"行政机关负责人出庭应诉率": 97.5}
    assert reports[1].indicator_values == {"培训学时": 32} and reports[1].narrative == "已组织两期培训"
    assert reports[2].indicator_values == {}


def test_the_prefilled_period_may_be_chosen():
    sheet = load(template_workbook(ASSIGNMENTS, TODAY, period="2026-11"))["台账 ledger"]
    assert {sheet.cell(row, 5).value for row in range(2, 5)} == {"2026-11"}
