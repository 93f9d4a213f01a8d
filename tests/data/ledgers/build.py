"""Builds the ledger layouts beside this file, in the shapes districts' Excel and WPS ledgers take (the
values are made up; the shapes are those of 台账 circulated by 依法治市办 offices). Run from the repository:
`.venv/bin/python -m tests.data.ledgers.build`. The expected reading of each is in
tests/unit/intake/test_ledgers_corpus.py.
"""

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import xlwt
from openpyxl.utils.datetime import CALENDAR_MAC_1904

HERE = Path(__file__).parent


def builtin_formats(content: bytes) -> bytes:
    """An .xlsx whose number formats written as `… "builtin N"` become the bare built-in id N, with no
    definition in styles.xml, as Excel and WPS write their Chinese date formats (ids 27-36, 50-58)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    styles = source.read("xl/styles.xml").decode()
    ids = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="[^"]*?builtin (\d+)[^"]*"\s*/>', styles))
    styles = re.sub(r'<numFmt numFmtId="\d+" formatCode="[^"]*?builtin \d+[^"]*"\s*/>', "", styles)
    styles = re.sub(r'numFmtId="(\d+)"', lambda found: f'numFmtId="{ids.get(found[1], found[1])}"', styles)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, styles if item.filename == "xl/styles.xml" else source.read(item.filename))
    return buffer.getvalue()


def saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plain_ledger(headers: list, *rows: list) -> bytes:
    """The simplest ledger: a header row and the rows under it, on the first sheet."""
    book = openpyxl.Workbook()
    for row in [headers, *rows]:
        book.active.append(row)
    return saved(book)


def title_lines_footer() -> bytes:
    """Title and subtitle rows, 填报单位 / 区划代码 / 填报日期 lines above the header (no such columns), a 序号
    column beside 措施编号, a 备注 column, and 合计 / 填表人 lines under the table."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["临川区2026年法治政府建设重点任务推进情况台账"])
    sheet.append(["（2026年第三季度）"])
    sheet.append(["填报单位（盖章）：临川区司法局", None, "区划代码：361002", None, "填报日期：2026年10月9日"])
    sheet.append(["序号", "措施编号", "任务名称", "报告期", "完成进度（%）", "状态", "完成情况", "备注"])
    sheet.append([1, "fuzhou-2022-17", "推进行政机关负责人出庭应诉", "2026年第三季度", 85, "推进中",
                  "已开展应诉培训3场"])
    sheet.append([2, "fuzhou-2022-18", "规范行政执法行为", "2026年三季度", 100, "已办结", "已完成", "提前完成"])
    sheet.append([3, "fuzhou-2022-19", "加强行政复议工作", "2026年第三季度", "完成一半", "进行中", "正在推进"])
    sheet.append(["合计", None, None, None, 92.5])
    sheet.append(["填表人：张三        审核人：李四        联系电话：0794-0000000"])
    for cells in ("A1:H1", "A2:H2", "A8:C8", "A9:H9"):
        sheet.merge_cells(cells)
    return saved(book)


def two_row_header_synonyms() -> bytes:
    """A two-row header (推进情况 merged over 完成率 / 状态 / 进展情况, the other labels merged down two rows),
    牵头单位 and 责任单位 both present, a unit merged down over two rows, a percent-formatted cell, an
    indicator column, and a row without its 报送时间."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "三季度"
    sheet.append(["各县（区）法治政府建设任务推进台账"])
    sheet.append(["序号", "任务编号", "牵头单位", "责任单位", "区划代码", "报告期", "推进情况", None, None, "报送时间",
                  "出庭应诉率（%）"])
    sheet.append([None, None, None, None, None, None, "完成率", "状态", "进展情况"])
    sheet.append([1, "fuzhou-2022-17", "市司法局", "临川区政府", "361002", "2026-Q3", 0.9, "正在推进", "已开展培训",
                  dt.datetime(2026, 10, 9, 10, 0), 96.5])
    sheet.append([2, "fuzhou-2022-11", "市司法局", None, None, "2026-Q3", "100%", "已办结", "已完成", None, "97.0%"])
    sheet.append([3, "fuzhou-2022-12", "市司法局", "东乡区政府", "361003", "2026-Q3", 60, "有困难", "", None, None])
    sheet["G4"].number_format = "0%"
    sheet["J4"].number_format = "yyyy-mm-dd hh:mm"
    for cells in ("A1:K1", "G2:I2", "D4:D5", "E4:E5", *(f"{c}2:{c}3" for c in "ABCDEFJK")):
        sheet.merge_cells(cells)
    return saved(book)


def notes_sheet_then_ledger_1904() -> bytes:
    """A 填表说明 sheet first, the ledger on the second sheet; the workbook in the 1904 date system (Excel for
    Mac); one date formatted, one a bare serial, one in the built-in format 31 (yyyy"年"m"月"d"日"), and a
    period Excel turned into a date (2026-10 typed, 2026-10-01 stored)."""
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    notes = book.active
    notes.title = "填表说明"
    for line in ["填表说明", "1. 单位：填写责任单位全称", "2. 完成百分比：填0-100的数字",
                 "3. 状态：未开始/进行中/已完成/受阻"]:
        notes.append([line])
    sheet = book.create_sheet("2026年10月")
    sheet.append(["措施编号", "单位", "区划代码", "周期", "完成百分比", "状态", "进展情况", "填报时间"])
    at = dt.datetime(2026, 10, 9, 10, 0)
    serial = (at - CALENDAR_MAC_1904) / dt.timedelta(days=1)
    sheet.append(["fuzhou-2022-17", "临川区政府", 361002, dt.datetime(2026, 10, 1), 40, "进行中", "", at])
    sheet.append(["fuzhou-2022-18", "临川区政府", 361002, "2026-10", 45, "进行中", "", serial])
    sheet.append(["fuzhou-2022-19", "临川区政府", 361002, "2026-10", 50, "进行中", "", serial])
    sheet["D2"].number_format = "yyyy-mm"
    sheet["H2"].number_format = "yyyy-mm-dd hh:mm"
    sheet["H4"].number_format = 'yyyy-mm-dd "builtin 31"'
    return builtin_formats(saved(book))


def excel_97_xls() -> bytes:
    """An .xls (Excel 97-2003, what many offices still save): a merged title, date- and percent-formatted
    cells, a text date."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    sheet.write_merge(0, 0, 0, 7, "崇仁县法治政府建设任务推进台账")
    for column, label in enumerate(["措施编号", "责任单位", "区划代码", "报告期", "完成百分比", "状态", "进展情况",
                                    "填报时间"]):
        sheet.write(1, column, label)
    when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")
    percent = xlwt.easyxf(num_format_str="0%")
    rows = [["fuzhou-2022-17", "崇仁县政府", 361024, "2026年第三季度", 0.75, "已完成", "已办结",
             dt.datetime(2026, 10, 9, 10, 0)],
            ["fuzhou-2022-18", "崇仁县政府", 361024, "2026-Q3", 30, "未启动", "", "2026/10/9 10:00"]]
    for r, values in enumerate(rows, start=2):
        for column, value in enumerate(values):
            style = when if isinstance(value, dt.datetime) else percent if value == 0.75 else xlwt.Style.default_style
            sheet.write(r, column, value, style)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def wps_text_dates() -> bytes:
    """A WPS-style sheet where everything is text: full-width digits, Chinese periods and percents, header
    labels broken over lines, and the date forms units type (and some they should not)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["措施编号", "单位", "区划代码", "周期", "完成\n百分比", "状态", "进展情况", "填报\n时间"])
    for values in [
        ["fuzhou-2022-17", "临川区政府", "361002", "2026年三季度", "８５％", "持续推进", "", "２０２６年１０月９日"],
        ["fuzhou-2022-18", "崇仁县政府", "361024", "2026年上半年", "百分之六十", "推进中", "", "2026.10.9"],
        ["fuzhou-2022-19", "南城县政府", "361021", "2026年10月", "100", "已完成", "", "2026年10月9日10时"],
        ["fuzhou-2022-20", "南城县政府", "361021", "2026Q3", "50", "进行中", "", "10月9日"],
        ["fuzhou-2022-21", "南城县政府", "361021", "2026-Q3", "50", "进行中", "", "1970-01-01"],
        ["fuzhou-2022-22", "南城县政府", "361021", "2026-Q3", "0.6", "进行中", "", "2026-10-09"],
        ["fuzhou-2022-23", "南城县政府", "361021", "2026-Q3", "50", "进行中", "", "2099-01-01"],
        ["fuzhou-2022-24", "南城县政府", "361021", "2026年第五季度", "50", "进行中", "", "2026-10-09"],
    ]:
        sheet.append(values)
    return saved(book)


def sheet_per_county() -> bytes:
    """A 说明 sheet, then one ledger sheet per county (what a city office sends back out to be filled in)."""
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["各县（区）分别填报本表，一县一表。"])
    for county, code, percent in (("临川区", "361002", 70), ("东乡区", "361003", "八十")):
        sheet = book.create_sheet(county)
        sheet.append(["措施编号", "单位", "区划代码", "周期", "完成百分比", "状态", "填报时间"])
        sheet.append(["fuzhou-2022-17", f"{county}政府", code, "2026-Q3", percent, "进行中", "2026-10-09 10:00"])
        sheet.append(["fuzhou-2022-18", f"{county}政府", code, "2026-Q3", 100, "已完成", "2026-10-09 10:00"])
    return saved(book)


LAYOUTS = {
    "title-lines-footer.xlsx": title_lines_footer,
    "two-row-header-synonyms.xlsx": two_row_header_synonyms,
    "notes-sheet-then-ledger-1904.xlsx": notes_sheet_then_ledger_1904,
    "excel-97.xls": excel_97_xls,
    "wps-text-dates.xlsx": wps_text_dates,
    "sheet-per-county.xlsx": sheet_per_county,
}

if __name__ == "__main__":
    for name, build in LAYOUTS.items():
        (HERE / name).write_bytes(build())
        print(f"wrote {HERE / name}")
