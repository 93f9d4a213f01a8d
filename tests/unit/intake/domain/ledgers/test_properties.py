"""Property: a ledger date or percent written in any supported form into a real workbook (number formats,
built-in Chinese date ids, the 1904 date system, text as units type it) reads back as the value meant, or
its row is refused with a reason naming the cell. Never a made-up value. Periods and status words too."""

import datetime as dt
import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from services.intake.domain.ledgers import read_workbook
from tests.data.ledgers.build import builtin_formats

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
CHINA = dt.timezone(dt.timedelta(hours=8))
HEADERS = ["措施编号", "单位", "区划代码", "周期", "完成百分比", "状态", "填报时间"]
FULL_WIDTH = str.maketrans("0123456789%.:-/", "０１２３４５６７８９％．：－／")
DIGITS = "零一二三四五六七八九"


def midnight(moment: dt.datetime) -> dt.datetime:
    return moment.replace(hour=0, minute=0)


# A date form: (name, cell value and number format from the moment and epoch, the moment it means).
TEXT_DATES = {
    "iso minutes": (lambda m: m.strftime("%Y-%m-%d %H:%M"), lambda m: m),
    "iso with zone": (lambda m: m.replace(tzinfo=CHINA).astimezone(dt.UTC).isoformat(), lambda m: m),
    "slashes": (lambda m: f"{m.year}/{m.month}/{m.day} {m.hour}:{m.minute:02d}", lambda m: m),
    "dots": (lambda m: f"{m.year}.{m.month}.{m.day}", midnight),
    "chinese date": (lambda m: f"{m.year}年{m.month}月{m.day}日", midnight),
    "chinese time": (lambda m: f"{m.year}年{m.month}月{m.day}日{m.hour}时{m.minute}分", lambda m: m),
    "chinese hour": (lambda m: f"{m.year}年{m.month}月{m.day}日{m.hour}点", lambda m: m.replace(minute=0)),
    "full width": (lambda m: f"{m.year}年{m.month}月{m.day}日".translate(FULL_WIDTH), midnight),
    "full width iso": (lambda m: m.strftime("%Y-%m-%d %H:%M").translate(FULL_WIDTH), lambda m: m),
    "eight digits": (lambda m: m.strftime("%Y%m%d"), midnight),
}
CELL_DATES = ["formatted date", "bare serial", *(f"builtin {n}" for n in (*range(27, 37), *range(50, 59)))]


def chinese(number: int) -> str:
    """0-100 as written in words: 五, 十, 十五, 八十, 八十五, 一百."""
    if number == 100:
        return "一百"
    tens, ones = divmod(number, 10)
    return (("" if tens == 1 else DIGITS[tens]) + "十" if tens else "") + (DIGITS[ones] if ones or not tens else "")


PERCENTS = ["number", "text number", "percent sign", "spaced percent", "full width percent", "percent cell",
            "chinese"]

moments = st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
    lambda m: m.replace(second=0, microsecond=0))
percents = st.one_of(st.integers(0, 100).map(float), st.integers(0, 1000).map(lambda tenths: tenths / 10))
rows = st.tuples(st.sampled_from([*TEXT_DATES, *CELL_DATES]), moments, st.sampled_from(PERCENTS), percents)


def write(book_rows, epoch) -> bytes:
    book = openpyxl.Workbook()
    book.epoch = epoch
    sheet = book.active
    sheet.append(HEADERS)
    for number, (date_form, moment, percent_form, percent) in enumerate(book_rows, start=2):
        sheet.append([f"m-{number}", "临川区政府", "361002", "2026-Q3", None, "进行中", None])
        date_cell, percent_cell = sheet.cell(number, 7), sheet.cell(number, 5)
        if date_form in TEXT_DATES:
            date_cell.value = TEXT_DATES[date_form][0](moment)
        elif date_form == "formatted date":
            date_cell.value, date_cell.number_format = moment, "yyyy-mm-dd hh:mm"
        else:  # a bare serial, or one in a built-in date format the file does not define
            date_cell.value = (moment - epoch) / dt.timedelta(days=1)
            if date_form.startswith("builtin"):
                date_cell.number_format = f'yyyy-mm-dd "{date_form}"'
        text = f"{percent:g}"
        percent_cell.value = {
            "number": percent, "text number": text, "percent sign": f"{text}%", "spaced percent": f"{text} %",
            "full width percent": f"{text}%".translate(FULL_WIDTH), "percent cell": percent / 100,
            "chinese": f"百分之{chinese(int(percent))}" if percent.is_integer() else f"{text}%",
        }[percent_form]
        if percent_form == "percent cell":
            percent_cell.number_format = "0.0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return builtin_formats(buffer.getvalue())


def meant_time(date_form: str, moment: dt.datetime) -> dt.datetime:
    local = TEXT_DATES[date_form][1](moment) if date_form in TEXT_DATES else moment
    return local.replace(tzinfo=CHINA)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book_rows=st.lists(rows, min_size=1, max_size=6), epoch=st.sampled_from([CALENDAR_WINDOWS_1900,
                                                                                 CALENDAR_MAC_1904]))
def test_every_date_and_percent_form_reads_as_meant_or_its_row_is_refused(book_rows, epoch):
    good, bad = read_workbook(write(book_rows, epoch), "property.xlsx", now=NOW)
    good, bad = {row.row: row.report for row in good}, {row.row: row.reason for row in bad}
    assert len(good) + len(bad) == len(book_rows)
    for number, (date_form, moment, percent_form, percent) in enumerate(book_rows, start=2):
        when = meant_time(date_form, moment)
        in_window = dt.datetime(2000, 1, 1, tzinfo=CHINA) <= when <= NOW + dt.timedelta(minutes=10)
        ambiguous = percent_form in ("number", "text number") and 0 < percent < 1
        if in_window and not ambiguous:
            assert number in good, (date_form, percent_form, bad.get(number))
            assert good[number].reported_at == when, (date_form, moment)
            assert good[number].percent_complete == percent, (percent_form, percent)
        else:
            assert number in bad, (date_form, moment, percent_form, percent)
            # the reason names every cell at fault
            assert ("reported_at:" in bad[number]) == (not in_window), bad[number]
            assert ("percent_complete:" in bad[number]) == ambiguous, bad[number]


# A period form: the text a unit types for (year, kind, number), kind one of year/half/quarter/month.
SEASONS = "一二三四"
PERIOD_TEXTS = {
    "year": [lambda y, n: str(y), lambda y, n: f"{y}年", lambda y, n: f"{y}年度", lambda y, n: y],
    "half": [lambda y, n: f"{y}-H{n}", lambda y, n: f"{y}年{'上下'[n - 1]}半年"],
    "quarter": [lambda y, n: f"{y}-Q{n}", lambda y, n: f"{y}Q{n}", lambda y, n: f"{y}年第{SEASONS[n - 1]}季度",
                lambda y, n: f"{y}年{SEASONS[n - 1]}季度", lambda y, n: f"{y}年第{n}季度"],
    "month": [lambda y, n: f"{y}-{n:02d}", lambda y, n: f"{y}年{n}月", lambda y, n: f"{y}年{n}月份",
              lambda y, n: f"{y}.{n}", lambda y, n: dt.datetime(y, n, 1)],
}
CONTRACT = {"year": lambda y, n: str(y), "half": lambda y, n: f"{y}-H{n}", "quarter": lambda y, n: f"{y}-Q{n}",
            "month": lambda y, n: f"{y}-{n:02d}"}
LIMITS = {"year": 1, "half": 2, "quarter": 4, "month": 12}
STATUSES = {"completed": ["已完成", "已办结", "办结", "完成"],
            "in_progress": ["进行中", "正在推进", "持续推进", "滞后"], "not_started": ["未开始", "未启动"],
            "blocked": ["受阻", "暂停"]}

periods = st.sampled_from(sorted(LIMITS)).flatmap(lambda kind: st.tuples(
    st.just(kind), st.integers(2001, 2030), st.integers(1, LIMITS[kind]),
    st.integers(0, len(PERIOD_TEXTS[kind]) - 1), st.booleans()))
statuses = st.sampled_from(sorted(STATUSES)).flatmap(lambda status: st.tuples(
    st.just(status), st.sampled_from(STATUSES[status])))


@settings(max_examples=60, deadline=None)
@given(book_rows=st.lists(st.tuples(periods, statuses), min_size=1, max_size=8))
def test_every_period_and_status_form_reads_as_the_contracts_value(book_rows):
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for (kind, year, number, form, full_width), (_, word) in book_rows:
        period = PERIOD_TEXTS[kind][form](year, number)
        if full_width and isinstance(period, str):
            period = period.translate(FULL_WIDTH)
        book.active.append(["m-1", "临川区政府", "361002", period, 50, word, "2026-10-09 10:00"])
    buffer = io.BytesIO()
    book.save(buffer)
    good, bad = read_workbook(buffer.getvalue(), now=NOW)
    assert bad == []
    assert [(row.report.period, row.report.status) for row in good] == [
        (CONTRACT[kind](year, number), status) for (kind, year, number, _, _), (status, _) in book_rows]
