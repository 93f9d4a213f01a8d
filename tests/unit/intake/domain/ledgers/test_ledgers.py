import datetime as dt
import io
import json
import time
import zipfile

import openpyxl
import pytest

from services.intake.domain.ledgers import LedgerError, column_of, read_rows, read_workbook, template_workbook
from tests.data.ledgers.build import plain_ledger

HEADERS = ["措施编号 measure_id", "单位", "region_code", "周期 period", "完成百分比", "状态 status", "进展情况",
           "行政机关负责人出庭应诉率"]
ROW = ["fuzhou-2022-17", "临川区政府", 361002, 2026, 80, "进行中", "已统计", 96.5]


def one(values, headers=HEADERS):
    good, bad = read_rows(headers, [(2, values)])
    return good, bad


def test_headers_name_fields_in_chinese_english_or_both_and_the_rest_are_indicators():
    assert [column_of(h) for h in HEADERS] == [
        "measure_id", "unit", "region_code", "period", "percent_complete", "status", "narrative", None]


def test_a_good_row_becomes_a_report_with_its_indicator_values():
    [row], bad = one(ROW)
    assert bad == [] and row.row == 2
    report = row.report
    assert (report.measure_id, report.unit, report.region_code, report.period) == (
        "fuzhou-2022-17", "临川区政府", "361002", "2026")
    assert report.percent_complete == 80 and report.status == "in_progress" and report.narrative == "已统计"
    assert report.indicator_values == {"行政机关负责人出庭应诉率": 96.5}


def workbook_bytes(*rows, headers=HEADERS) -> bytes:
    return plain_ledger(headers, *rows)


def test_a_row_without_a_time_is_dated_when_its_workbook_was_saved_so_a_reimport_is_the_same_event():
    ledger = workbook_bytes(ROW)
    saved = openpyxl.load_workbook(io.BytesIO(ledger)).properties.modified.replace(tzinfo=dt.UTC)
    [first], _ = read_workbook(ledger)
    [again], _ = read_workbook(ledger, now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert first.report.reported_at == saved and first.reported_at_from == "workbook saved time"
    assert (first.event_id, first.report) == (again.event_id, again.report)


def test_one_event_id_always_carries_one_content():
    """Rows with no time of their own anywhere are dated by the import: each import is another event."""
    [first], _ = one(ROW)
    [again], _ = one(list(ROW))
    [changed], _ = one([*ROW[:4], 90, *ROW[5:]])
    assert first.reported_at_from == "import time"
    assert first.report != again.report and len({first.event_id, again.event_id, changed.event_id}) == 3
    timed = [*ROW, dt.datetime(2026, 10, 8, 9, 30)]
    [one_time], _ = one(timed, [*HEADERS, "填报时间"])
    [other_time], _ = one(list(timed), [*HEADERS, "填报时间"])
    assert one_time.event_id == other_time.event_id and one_time.report == other_time.report


def test_a_time_without_a_zone_is_china_standard_time():
    [row], _ = one([*ROW, dt.datetime(2026, 10, 8, 9, 30)], [*HEADERS, "填报时间 reported_at"])
    assert row.report.reported_at.isoformat() == "2026-10-08T09:30:00+08:00"


@pytest.mark.parametrize(("change", "reason"), [
    ({4: 120}, "percent_complete"),
    ({4: "eighty"}, "percent_complete: 'eighty' is not a percent; accepted: 85, 85%"),
    ({5: "done"}, "status"),
    ({3: "2026-13"}, "period"),
    ({2: "3610"}, "region_code"),
    ({0: None}, "measure_id"),
    ({7: "高"}, "行政机关负责人出庭应诉率: expected a number"),
])
def test_a_bad_row_is_reported_by_number_and_reason_and_the_good_ones_still_go_through(change, reason):
    bad_values = [change.get(i, value) for i, value in enumerate(ROW)]
    good, bad = read_rows(HEADERS, [(2, ROW), (3, bad_values), (4, []), (5, ROW)])
    assert [row.row for row in good] == [2, 5]
    assert [row.row for row in bad] == [3] and reason in bad[0].reason


def test_a_header_row_without_the_required_columns_is_refused_as_a_whole():
    with pytest.raises(LedgerError, match="period, percent_complete"):
        read_rows(["measure_id", "unit", "region_code", "status"], [])


def test_the_template_reads_back_as_one_good_row():
    good, bad = read_workbook(template_workbook())
    assert bad == [] and [row.row for row in good] == [2]
    assert good[0].report.indicator_values == {"行政机关负责人出庭应诉率": 96.5}
    assert good[0].report.evidence == ["https://example.org/evidence/1.pdf"]


def test_a_percent_formatted_cell_means_what_the_unit_sees():
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(ROW)))
    book.active["E2"] = 0.8
    book.active["E2"].number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    [row], _ = read_workbook(buffer.getvalue())
    assert row.report.percent_complete == pytest.approx(80)


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(LedgerError, match="ledger.csv: not an .xlsx or .xls workbook"):
        read_workbook(b"measure_id,unit\n", "ledger.csv")
    with pytest.raises(LedgerError, match="not a readable .xlsx or .xls workbook"):
        read_workbook(b"PK\x03\x04 truncated", "ledger.xlsx")


def test_a_workbook_without_a_ledger_names_what_each_sheet_lacks():
    with pytest.raises(LedgerError, match="sheet 'Sheet': the header lacks the column\\(s\\) region_code, period"):
        read_workbook(workbook_bytes(headers=["措施编号", "单位"]))


def test_the_cli_preview_reads_a_ledger_without_a_stack_and_says_what_it_did_not_check(tmp_path, capsys,
                                                                                        monkeypatch):
    from cli.main import main

    monkeypatch.delenv("DUBAN_INTAKE_URL", raising=False)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook_bytes(ROW, [*ROW[:4], "eighty", *ROW[5:]]))
    main(["ledger", "import", str(path), "--preview", "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert answer["checked"] == "reader only: measures, units and the plan's start are checked by intake"
    assert answer["preview"] is True and [row["row"] for row in answer["accepted"]] == [2]
    assert answer["accepted"][0]["report"]["percent_complete"] == 80.0
    assert answer["accepted"][0]["reported_at_from"] == "workbook saved time"
    assert answer["rejected"] == [{"sheet": "Sheet", "row": 3, "reason": answer["rejected"][0]["reason"]}]
    assert answer["rejected"][0]["reason"].startswith("percent_complete: 'eighty' is not a percent")

    main(["ledger", "import", str(path), "--preview"])
    summary = capsys.readouterr().out.splitlines()
    assert summary[0].startswith("row 2: fuzhou-2022-17 临川区政府 (361002) 2026: 80% in_progress at ")
    assert summary[1].startswith("row 3: refused: percent_complete:")
    assert summary[-1] == ("1 rows pass the reader, 1 refused; nothing published (reader only: measures, units "
                           "and the plan's start are checked by intake)")


@pytest.mark.parametrize("given", [["--intake", "http://127.0.0.1:9"], []])
def test_the_cli_preview_asks_intake_when_its_url_is_given(tmp_path, monkeypatch, given):
    """With --intake or $DUBAN_INTAKE_URL the preview is intake's own, so nothing there is an error, not a
    silent fallback to the reader alone."""
    from cli.main import main

    monkeypatch.setenv("DUBAN_INTAKE_URL", "http://127.0.0.1:9")  # nothing listens on port 9
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook_bytes(ROW))
    with pytest.raises(SystemExit, match="intake at http://127.0.0.1:9 cannot be reached"):
        main(["ledger", "import", str(path), "--preview", *given])


def rewritten(content: bytes, part: str, change=None) -> bytes:
    """The workbook with one part of its zip changed by `change` (bytes -> bytes), or left out."""
    source, buffer = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            if item.filename != part:
                target.writestr(item, source.read(item.filename))
            elif change:
                target.writestr(item, change(source.read(item.filename)))
    return buffer.getvalue()


def with_merge(content: bytes, reference: str) -> bytes:
    """The workbook with one more merged range, written into the sheet's XML as a hostile file would."""
    merge = f'</sheetData><mergeCells count="1"><mergeCell ref="{reference}"/></mergeCells>'.encode()
    return rewritten(content, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"</sheetData>", merge))


def test_a_workbook_that_does_not_say_when_it_was_saved_dates_its_timeless_rows_by_the_import():
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    [row], _ = read_workbook(rewritten(workbook_bytes(ROW), "docProps/core.xml"), now=now)
    assert (row.reported_at_from, row.report.reported_at) == ("import time", now)


def test_a_stray_far_cell_does_not_blow_up_the_sheet_and_a_merged_range_over_the_whole_sheet_is_refused():
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(ROW)))
    book.active.cell(1048576, 16384).value = "x"  # a 5 KB file whose used range is 17 billion cells
    buffer = io.BytesIO()
    book.save(buffer)
    started = time.perf_counter()
    good, bad = read_workbook(buffer.getvalue())
    assert [row.row for row in good] == [2] and bad == [] and time.perf_counter() - started < 5

    with pytest.raises(LedgerError, match="huge.xlsx: merged cells cover 17177739268 cells"):
        read_workbook(with_merge(workbook_bytes(ROW), "C3:XFD1048576"), "huge.xlsx")
    third = [None, *ROW[1:]]
    first, again = read_workbook(with_merge(workbook_bytes(ROW, third), "A2:A3"))[0]  # a measure merged down
    assert (again.row, again.report.measure_id) == (3, "fuzhou-2022-17") and first.event_id == again.event_id


def test_in_a_two_row_header_a_group_label_yields_to_the_labels_under_it_and_a_note_row_to_the_label_above():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["措施编号", "单位", "区划代码", "周期", "完成百分比", "状态", "主要指标", None, "完成情况", None])
    sheet.append([None, None, None, None, "(%)", None, "出庭应诉率", "复议纠错率", "工作进展", "存在问题"])
    sheet.append(["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", 96.5, 3, "已统计", "无"])
    sheet.merge_cells("G1:H1")
    sheet.merge_cells("I1:J1")
    buffer = io.BytesIO()
    book.save(buffer)
    [row], bad = read_workbook(buffer.getvalue())
    assert bad == [] and row.report.percent_complete == 80
    assert row.report.indicator_values == {"出庭应诉率": 96.5, "复议纠错率": 3.0}
    # 工作进展 under the group 完成情况 is the narrative, 存在问题 is kept in it under its label
    assert row.report.narrative == "已统计\n存在问题:无"
