"""Every ledger case of the issue's samples (shared/samples/cases, copied to tests/data/ledgers/cases) and
every layout in tests/data/ledgers (built by tests/data/ledgers/build.py in the shapes districts' ledgers
take), read to its right values."""

import datetime as dt
import io
from pathlib import Path

import openpyxl

from services.intake.domain.ledgers import read_workbook

LAYOUTS = Path(__file__).parents[4] / "data" / "ledgers"
SAMPLES = LAYOUTS / "cases"
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
CHINA = dt.timezone(dt.timedelta(hours=8))
AT_TEN = dt.datetime(2026, 10, 9, 10, 0, tzinfo=CHINA)
MIDNIGHT = dt.datetime(2026, 10, 9, tzinfo=CHINA)


def read(path: Path, now: dt.datetime = NOW):
    good, bad = read_workbook(path.read_bytes(), path.name, now=now)
    return {row.row: row for row in good}, {row.row: row.reason for row in bad}


def report(row) -> tuple:
    r = row.report
    return (r.measure_id, r.unit, r.region_code, r.period, r.percent_complete, r.status, r.reported_at)


def test_a_title_row_and_a_two_row_header_with_merged_cells():
    good, bad = read(SAMPLES / "ledger-title-and-two-header-rows.xlsx")
    assert bad == {}
    assert {number: report(row) for number, row in good.items()} == {
        4: ("fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 85.0, "in_progress", AT_TEN)}
    assert good[4].report.narrative == "已开展应诉培训"


def test_a_date_in_the_builtin_chinese_format_31_is_2026_10_09_ten_oclock_china_time():
    good, bad = read(SAMPLES / "ledger-date-builtin-format-31.xlsx")
    assert bad == {} and good[2].report.reported_at == AT_TEN and good[2].reported_at_from == "row"
    assert good[2].report.reported_at.utcoffset() == dt.timedelta(hours=8)


def test_title_lines_above_the_header_give_unit_region_and_date_and_footer_lines_are_refused():
    good, bad = read(LAYOUTS / "title-lines-footer.xlsx")
    assert {number: report(row) for number, row in good.items()} == {
        5: ("fuzhou-2022-17", "临川区司法局", "361002", "2026-Q3", 85.0, "in_progress", MIDNIGHT),
        6: ("fuzhou-2022-18", "临川区司法局", "361002", "2026-Q3", 100.0, "completed", MIDNIGHT)}
    assert good[5].reported_at_from == "填报日期 line above the header"
    assert good[6].report.narrative == "已完成\n备注:提前完成"  # the 备注 column is kept, not an indicator
    assert good[5].report.indicator_values == {}  # 序号 and 任务名称 are not indicators
    assert set(bad) == {7, 8, 9}
    assert "percent_complete: '完成一半' is not a percent" in bad[7]
    assert bad[8].startswith("a 合计 line") and bad[9].startswith("a 填表人 line")


def test_a_two_row_header_with_synonyms_merged_units_and_a_percent_formatted_cell():
    path = LAYOUTS / "two-row-header-synonyms.xlsx"
    good, bad = read(path, now=dt.datetime.now(dt.UTC))  # after the file was saved, whenever it was built
    saved = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).properties.modified.replace(tzinfo=dt.UTC)
    assert {number: report(row) for number, row in good.items()} == {
        # 责任单位 reports, not 牵头单位; the unit and region merged down over rows 4-5 hold for both
        4: ("fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 90.0, "in_progress", AT_TEN),
        5: ("fuzhou-2022-11", "临川区政府", "361002", "2026-Q3", 100.0, "completed", saved)}
    assert good[5].reported_at_from == "workbook saved time"
    assert good[4].report.indicator_values == {"出庭应诉率(%)": 96.5}
    assert good[5].report.indicator_values == {"出庭应诉率(%)": 97.0}
    assert list(bad) == [6] and "status: '有困难' is not a status" in bad[6]


def test_a_ledger_on_the_second_sheet_after_its_notes_in_the_1904_date_system():
    good, bad = read(LAYOUTS / "notes-sheet-then-ledger-1904.xlsx")
    assert bad == {}
    assert {number: (row.report.period, row.report.reported_at) for number, row in good.items()} == {
        2: ("2026-10", AT_TEN),  # a date-formatted cell; the period Excel turned into 2026-10-01
        3: ("2026-10", AT_TEN),  # a bare serial, counted from 1904
        4: ("2026-10", AT_TEN),  # the built-in format 31 without a definition
    }
    assert good[2].report.region_code == "361002"  # typed as a number


def test_an_excel_97_xls():
    good, bad = read(LAYOUTS / "excel-97.xls")
    assert bad == {}
    assert {number: report(row) for number, row in good.items()} == {
        3: ("fuzhou-2022-17", "崇仁县政府", "361024", "2026-Q3", 75.0, "completed", AT_TEN),
        4: ("fuzhou-2022-18", "崇仁县政府", "361024", "2026-Q3", 30.0, "not_started", AT_TEN)}


def test_a_wps_sheet_of_text_dates_chinese_periods_and_percents():
    good, bad = read(LAYOUTS / "wps-text-dates.xlsx")
    assert {number: report(row) for number, row in good.items()} == {
        2: ("fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 85.0, "in_progress", MIDNIGHT),
        3: ("fuzhou-2022-18", "崇仁县政府", "361024", "2026-H1", 60.0, "in_progress", MIDNIGHT),
        4: ("fuzhou-2022-19", "南城县政府", "361021", "2026-10", 100.0, "completed", AT_TEN)}
    assert set(bad) == {5, 6, 7, 8, 9}
    assert "reported_at: '10月9日' is not a date; accepted:" in bad[5]  # no year: refused, not guessed
    assert "reported_at: 1970-01-01T00:00:00+08:00 is before 2000-01-01" in bad[6]
    assert "percent_complete: 0.6 is ambiguous" in bad[7]
    assert "reported_at: 2099-01-01T00:00:00+08:00 is in the future" in bad[8]
    assert "period: '2026年第五季度' is not a period; accepted:" in bad[9]


def test_every_sheet_holding_a_ledger_is_read_and_rows_are_named_by_sheet():
    good, bad = read_workbook((LAYOUTS / "sheet-per-county.xlsx").read_bytes(), now=NOW)
    assert [(row.sheet, row.row, row.report.unit, row.report.percent_complete) for row in good] == [
        ("临川区", 2, "临川区政府", 70.0), ("临川区", 3, "临川区政府", 100.0), ("东乡区", 3, "东乡区政府", 100.0)]
    assert [(row.sheet, row.row) for row in bad] == [("东乡区", 2)] and "'八十' is not a percent" in bad[0].reason


def test_the_layouts_on_disk_are_what_the_builder_makes():
    """The files are checked in so other tools can read them; the builder is how they were made."""
    from tests.data.ledgers.build import LAYOUTS as BUILDERS

    assert sorted(BUILDERS) == sorted(path.name for path in LAYOUTS.glob("*.xls*"))
    for name, build in BUILDERS.items():
        fresh = {row.row: row.report.model_dump(exclude={"reported_at"})
                 for row in read_workbook(build(), name, now=NOW)[0]}
        kept = {row.row: row.report.model_dump(exclude={"reported_at"})
                for row in read_workbook((LAYOUTS / name).read_bytes(), name, now=NOW)[0]}
        assert fresh == kept, name
