"""Deadlines in a measure's text.

Absolute: ``2022年底前`` -> 2022-12-31, ``2023年6月底前`` -> 2023-06-30, ``到2025年`` -> 2025-12-31,
``2025年前`` -> 2025-12-31 (前 is read as "by", the usual sense in plans).
Recurring: ``每年3月1日前`` / ``每年一季度`` are yearly with the date of their first occurrence in
the plan's first year (2022-03-01, 2017-03-31), or null when that year is unknown; bare ``每年``,
``每半年``, ``每季度``, ``每月`` carry only the recurrence. A date mentioned without 前/底/末/到
(a signature date, "2017年度") is not a deadline, except as the value of a label such as
``完成时间:2024年6月`` (layout.END_LABEL), which names the deadline whatever its wording.
Ongoing: ``长期坚持``, ``持续推进`` … standing as a clause of their own (``…通报一次,长期坚持。``) or as
a label's value are kept as a deadline without date or recurrence (持续 and 常态化 only with their
verb: 持续推进, never a bare 持续), marked ongoing: the work goes on for the plan's whole span
and never falls due (shared/domain/deadlines.py).
"""
import calendar
import re
from dataclasses import dataclass
from datetime import date

from .layout import END_LABEL
from .numerals import cn_to_int

_QUARTER = "([一二三四1-4])"
_YEARLY_DAY = re.compile(r"每年 *(\d{1,2}) *月 *(?:(\d{1,2}) *日|底|末)?(?:之?前)?")
_YEARLY_QUARTER = re.compile(rf"每年 *第?{_QUARTER} *季度(?:末|底)?(?:之?前)?")
_YEARLY_PART = re.compile(r"每年 *(上半年|年中|年底|年末|底)(?:之?前)?")
_ABSOLUTE = re.compile(
    rf"(到|至)? *(?<!\d)(20\d\d) *年 *(?:(\d{{1,2}}) *月 *(?:(\d{{1,2}}) *日|(底|末))?"
    rf"|第?{_QUARTER} *季度(末|底)?|(上半年|年中)|(年?底|年?末))? *(之?前)?")
_RECURRING = re.compile(r"每(半年|季度|月|年)")
_ONGOING = re.compile(r"(?:(?<=[,;:。\n])|^) *(长期(?:坚持|推进|开展|落实|实施|有效)?"
                      r"|(?:持续|常态化)(?:坚持|推进|开展|落实|实施))"
                      r" *(?=[,;。\n]|$)", re.MULTILINE)
_LABELLED_VALUE = re.compile(END_LABEL.pattern + r" *([^;。\n]+)")
_RECURRENCE = {"年": "yearly", "半年": "half-yearly", "季度": "quarterly", "月": "monthly"}


@dataclass(frozen=True)
class Deadline:
    text: str
    date: date | None
    recurrence: str | None  # None, "yearly", "half-yearly", "quarterly" or "monthly"
    ongoing: bool = False  # 长期坚持: no date and no recurrence, on purpose

    def to_json(self) -> dict:
        return {"text": self.text, "date": self.date.isoformat() if self.date else None,
                "recurrence": self.recurrence, "ongoing": self.ongoing}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter_end(year: int, quarter: str) -> date:
    q = int(quarter) if quarter.isdigit() else cn_to_int(quarter)
    return _month_end(year, q * 3)


def _yearly_day(m: re.Match, year: int | None) -> Deadline:
    month, day = int(m.group(1)), m.group(2)
    when = None
    if year and 1 <= month <= 12:
        when = date(year, month, int(day)) if day else _month_end(year, month)
    return Deadline(m.group(0), when, "yearly")


def _yearly_quarter(m: re.Match, year: int | None) -> Deadline:
    return Deadline(m.group(0), _quarter_end(year, m.group(1)) if year else None, "yearly")


def _yearly_part(m: re.Match, year: int | None) -> Deadline:
    month = 6 if m.group(1) in ("上半年", "年中") else 12
    return Deadline(m.group(0), _month_end(year, month) if year else None, "yearly")


def _absolute(m: re.Match, _year: int | None, labelled: bool = False) -> Deadline | None:
    to, year, month, day, month_end, quarter, quarter_end, half, year_end, before = m.groups()
    if not (to or before or month_end or quarter or half or year_end or labelled):
        return None  # a plain date such as a signature, not a deadline
    y = int(year)
    if month:
        when = date(y, int(month), int(day)) if day else _month_end(y, int(month))
    elif quarter:
        when = _quarter_end(y, quarter)
    else:
        when = _month_end(y, 6 if half else 12)
    return Deadline(m.group(0).strip(), when, None)


def _recurring(m: re.Match, _year: int | None) -> Deadline:
    return Deadline(m.group(0), None, _RECURRENCE[m.group(1)])


def _ongoing(m: re.Match, _year: int | None) -> Deadline:
    return Deadline(m.group(1), None, None, ongoing=True)


# Most specific first; a later rule never reuses text an earlier one matched.
_RULES = ((_YEARLY_DAY, _yearly_day), (_YEARLY_QUARTER, _yearly_quarter),
          (_YEARLY_PART, _yearly_part), (_ABSOLUTE, _absolute), (_RECURRING, _recurring),
          (_ONGOING, _ongoing))


def find_deadlines(text: str, start_year: int | None = None) -> list[Deadline]:
    """Deadlines in order of appearance, each distinct one once."""
    found: list[tuple[int, Deadline]] = []
    taken: list[tuple[int, int]] = []
    labelled = [value.span(2) for value in _LABELLED_VALUE.finditer(text)]
    for pattern, build in _RULES:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            try:
                deadline = build(m, start_year)
                if deadline is None and build is _absolute and any(
                        start <= m.start() < end for start, end in labelled):
                    deadline = _absolute(m, start_year, labelled=True)
            except ValueError:  # month 13, 2月30日: not a date, so not a deadline
                deadline = None
            if deadline:
                found.append((m.start(), deadline))
                taken.append(m.span())
    result: list[Deadline] = []
    for _, deadline in sorted(found, key=lambda item: item[0]):
        if deadline not in result:
            result.append(deadline)
    return result
