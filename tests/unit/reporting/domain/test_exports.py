"""The exports: workbooks read back cell by cell, CSV as Excel reads it, the annual dataset's arithmetic."""

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from services.reporting.domain import exports
from services.reporting.domain.annual import annual_report
from services.reporting.domain.annual_page import annual_page
from services.reporting.domain.lights import LightChange
from services.reporting.domain.snapshot import Snapshot
from shared.domain.calendar import local_date
from tests.unit.reporting.generated import COUNTIES

AS_OF = date(2026, 11, 22)


def region_sheets(snapshot, code="361000"):
    report = snapshot.region_report(code, AS_OF)
    units = snapshot.grouped_report(code, AS_OF, "quarter", "units")["rows"]
    return report, units, exports.region_sheets(report, units)


def test_the_workbook_has_a_sheet_per_level_with_the_figures_in_its_cells(snapshot):
    report, units, sheets = region_sheets(snapshot)
    book = load_workbook(io.BytesIO(exports.workbook_bytes("演示市", "截至 2026-11-22", sheets)))
    assert book.sheetnames == ["本级汇总", "下级区域", "责任单位"]
    region, children, unit_sheet = (book[name] for name in book.sheetnames)
    header = [cell.value for cell in region[3]]
    assert header[:7] == ["区划代码", "区域", "层级", "亮灯", "任务分解数", "已完成(已销号)", "按期完成"]
    column = {name: index for index, name in enumerate(header)}
    row = [cell.value for cell in region[4]]
    assert (row[0], row[1], row[2]) == ("361000", "演示市", "市级")
    assert row[column["任务分解数"]] == report["assignments"] == 3_000
    assert row[column["逾期"]] == report["overdue"]
    assert row[column["完成率(%)"]] == report["completion_rate"]
    # Claims not verified are shown apart from the completed (closed out), and both add up with the rest.
    assert row[column["已申请办结待核查"]] == report["awaiting_verification"] > 0
    standings = ("已完成(已销号)", "已申请办结待核查", "推进中", "未启动", "受阻")
    assert sum(row[column[name]] for name in standings) == 3_000
    own = [cell.value for cell in region[5]]
    assert own[column["任务分解数"]] == report["own_units"]["assignments"]
    child_rows = [[cell.value for cell in r] for r in children.iter_rows(min_row=4)]
    assert [r[0] for r in child_rows] == sorted(COUNTIES) and {r[2] for r in child_rows} == {"县级"}
    assert sum(r[column["任务分解数"]] for r in child_rows) + own[column["任务分解数"]] == 3_000
    for header, key in (("逾期", "overdue"), ("滞后", "lagging"), ("未按期报送", "silent")):
        assert row[column[header]] == report[key] > 0, header
        assert sum(r[column[header]] for r in child_rows) + own[column[header]] == report[key], header
    unit_rows = list(unit_sheet.iter_rows(min_row=4, values_only=True))
    assert len(unit_rows) == len(units) == report["units"]
    assert unit_sheet["A3"].value == "责任单位" and sum(r[4] for r in unit_rows) == 3_000


def test_the_workbook_is_formatted_for_printing(snapshot):
    _, _, sheets = region_sheets(snapshot)
    sheet = load_workbook(io.BytesIO(exports.workbook_bytes("演示市", "", sheets)))["下级区域"]
    assert sheet["A1"].value == "演示市 · 下级区域" and sheet["A3"].font.b
    assert sheet.freeze_panes == "E4"  # header rows, the naming columns and the light stay in view
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.column_dimensions["B"].width == 16 and sheet["A3"].fill.fgColor.rgb.endswith("1F4E79")


def test_the_csv_has_a_byte_order_mark_and_every_level(snapshot):
    report, units, sheets = region_sheets(snapshot, "361002")
    content = exports.csv_bytes(sheets)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0]["报表"] == "本级汇总" and rows[0]["区域"] == "演示县1" and rows[0]["层级"] == "县级"
    assert int(rows[0]["任务分解数"]) == report["assignments"]
    assert [r["区划代码"] for r in rows if r["报表"] == "下级区域"] == [c["region_code"] for c in report["children"]]
    assert sum(int(r["任务分解数"]) for r in rows if r["报表"] == "责任单位") == report["assignments"]


def test_the_annual_dataset_lists_measures_with_their_evidence_and_the_overdue_items(snapshot, city):
    reports = [{**p, "narrative": f"{p['unit']}的进展", "evidence": [f"https://example.org/{p['_id']}.pdf"]}
               for p in city.progress]
    annual = annual_report(snapshot, "361002", 2025, AS_OF, reports)
    assert annual["as_of"] == "2025-12-31" and annual["figures"]["period"]["label"] == "2025"
    in_year = [r for r in reports
               if r["region_code"].startswith("361002") and local_date(r["reported_at"]).year == 2025]
    assert sum(len(m["reports"]) for m in annual["measures"]) == len(in_year) > 0
    measure = next(m for m in annual["measures"] if m["reports"])
    assert measure["evidence"] and measure["reports"][0]["narrative"].endswith("的进展")
    assert len(annual["overdue"]) == annual["figures"]["overdue"]
    assert all(item["region_code"].startswith("361002") and item["due"] <= "2025-12-31" for item in annual["overdue"])
    assert sum(m["assignments"] for m in annual["measures"]) == annual["figures"]["assignments"]
    book = load_workbook(io.BytesIO(exports.workbook_bytes("演示县1 2025", "", exports.annual_sheets(annual))))
    assert book.sheetnames == ["区域汇总", "措施落实情况", "逾期事项"]
    overdue = list(book["逾期事项"].iter_rows(min_row=4, values_only=True))
    assert len(overdue) == len(annual["overdue"]) and overdue[0][7] == annual["overdue"][0]["due"]
    measures = list(book["措施落实情况"].iter_rows(min_row=4, values_only=True))
    header = [c.value for c in book["措施落实情况"][3]]
    row = measures[annual["measures"].index(measure)]
    assert measure["evidence"][0] in row[header.index("佐证材料")]


def test_names_and_narratives_from_outside_never_become_formulas_in_the_exports(snapshot, city):
    """A unit named `=HYPERLINK(...)` and evidence `@SUM(...)` are text in the workbook and the CSV."""
    hostile_name, hostile_evidence = '=HYPERLINK("http://evil.example","点此")', "@SUM(1+1)*cmd|' /C calc'!A0"
    report, units, _ = region_sheets(snapshot, "361002")
    units = [{**units[0], "unit_name": hostile_name}, *units[1:]]
    sheets = exports.region_sheets({**report, "name": "-演示县"}, units)
    book = load_workbook(io.BytesIO(exports.workbook_bytes("=1+1", "+截至", sheets)))
    unit_sheet = book["责任单位"]
    assert (unit_sheet["A4"].value, unit_sheet["A4"].data_type) == (hostile_name, "s")
    assert unit_sheet["A1"].data_type == "s" and unit_sheet["A1"].value.startswith("=1+1")
    assert (book["本级汇总"]["B4"].value, book["本级汇总"]["B4"].data_type) == ("-演示县", "s")
    assert (book["本级汇总"]["A2"].value, book["本级汇总"]["A2"].quotePrefix) == ("+截至", True)
    assert not [cell.coordinate for sheet in book for row in sheet.iter_rows() for cell in row
                if cell.data_type == "f"]
    rows = list(csv.DictReader(io.StringIO(exports.csv_bytes(sheets).decode("utf-8-sig"))))
    assert next(r for r in rows if r["报表"] == "责任单位")["责任单位"] == f"'{hostile_name}"
    assert rows[0]["区域"] == "'-演示县"
    annual = annual_report(snapshot, "361002", 2025, AS_OF, [
        {**p, "narrative": "进展", "evidence": [hostile_evidence]} for p in city.progress])
    book = load_workbook(io.BytesIO(exports.workbook_bytes("年度", "", exports.annual_sheets(annual))))
    evidence = [cell for row in book["措施落实情况"].iter_rows(min_row=4) for cell in row
                if isinstance(cell.value, str) and cell.value.startswith("@SUM")]  # 佐证材料 cells
    assert evidence and all(cell.data_type == "s" and cell.quotePrefix for cell in evidence)


def test_a_reports_day_beside_its_narrative_is_chinas_day(snapshot, city):
    """A report made at 00:30 on 1 July in Beijing (30 June in UTC) is dated 2025-07-01 in the annual dataset, its
    workbook and its printable page."""
    made = city.progress[0]
    report = {**made, "region_code": "361002", "narrative": "午夜后报送",
              "reported_at": datetime(2025, 6, 30, 16, 30, tzinfo=UTC)}
    annual = annual_report(snapshot, "361002", 2025, AS_OF, [report])
    listed = next(r for m in annual["measures"] for r in m["reports"] if r["narrative"] == "午夜后报送")
    assert listed["reported_on"] == "2025-07-01"
    book = load_workbook(io.BytesIO(exports.workbook_bytes("年度", "", exports.annual_sheets(annual))))
    cells = [cell.value for row in book["措施落实情况"].iter_rows(min_row=4) for cell in row
             if isinstance(cell.value, str) and "午夜后报送" in cell.value]
    assert cells and all("(2025-07-01): 午夜后报送" in value for value in cells)
    assert "(2025-07-01):午夜后报送" in annual_page(annual)


def test_the_light_is_a_coloured_cell_in_chinese_with_the_counts_beside_it(snapshot):
    views = snapshot.assignments
    changes = [LightChange(f"{v['measure_id']}|{v['unit']}#light-1", v["measure_id"], v["unit"], v["region_code"],
                           light, date(2026, 11, 1), datetime(2026, 11, 1, tzinfo=UTC))
               for v, light in zip(views, ["red"] * 700 + ["yellow"] * 300 + ["green"] * 2000, strict=False)]
    lit = Snapshot(views, snapshot.measures, snapshot.regions, light_changes=changes)
    report, units, sheets = region_sheets(lit)
    assert (report["light"], report["lights_red"], report["lights_yellow"], report["lights_green"]) == (
        "red", 700, 300, 2000)  # 700 of 3,000 red: more than one in five
    sheet = load_workbook(io.BytesIO(exports.workbook_bytes("演示市", "", sheets)))["本级汇总"]
    header = [cell.value for cell in sheet[3]]
    light = sheet.cell(4, header.index("亮灯") + 1)
    assert light.value == "红灯" and light.fill.fgColor.rgb.endswith("E74C3C")
    assert sheet.cell(4, header.index("红灯数") + 1).value == 700
    rows = list(csv.DictReader(io.StringIO(exports.csv_bytes(sheets).decode("utf-8-sig"))))
    assert {r["亮灯"] for r in rows if r["报表"] == "责任单位"} <= {"红灯", "黄灯", "绿灯", ""}


def test_the_annual_dataset_keeps_the_stored_evidence_files_as_references_each_once(snapshot, city):
    minutes = {"id": "e-1", "name": "会议纪要.pdf", "sha256": "a" * 64, "content_type": "application/pdf", "size": 9}
    photo = {"id": "e-2", "name": "出庭照片.jpg", "sha256": "b" * 64, "content_type": "image/jpeg", "size": 7}
    reports = [{**p, "evidence_files": [minutes, photo] if index % 2 else [minutes]}
               for index, p in enumerate(city.progress)]
    annual = annual_report(snapshot, "361002", 2025, AS_OF, reports)
    measure = next(m for m in annual["measures"] if len(m["reports"]) > 1)
    cited = {file["id"] for report in measure["reports"] for file in report["evidence_files"]}
    assert cited == {"e-1", "e-2"}
    assert measure["evidence_files"] == sorted([minutes, photo], key=lambda file: file["name"])  # the references
    assert "会议纪要.pdf" in measure["evidence"]
    book = load_workbook(io.BytesIO(exports.workbook_bytes("演示县1 2025", "", exports.annual_sheets(annual))))
    header = [c.value for c in book["措施落实情况"][3]]
    row = list(book["措施落实情况"].iter_rows(min_row=4, values_only=True))[annual["measures"].index(measure)]
    assert "会议纪要.pdf" in row[header.index("佐证材料")]
