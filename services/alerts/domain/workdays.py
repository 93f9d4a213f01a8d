"""Working days (工作日) in China, for the supervision loop's time limits (签收 within 3 working days, 核查 within 5).

A working day is a weekday that is not a public holiday, or a weekend day worked in exchange for one (调休: Saturday
14 February 2026 was worked for the Spring Festival). The calendar is the `holidays` library's China (its data
follow the State Council's yearly notice; a year whose notice it does not hold yet is counted with the fixed and
lunar holidays, without the exchanged days), so a new release of the library may change a judgement of a day in
such a year.

A limit of N working days after a day counts from the next day: assigned on Friday with 3 working days, the unit
has Monday to Wednesday, and is late from Thursday.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

# Filled year by year on first use (the library's `expand`).
CHINA_CALENDAR = holidays.country_holidays("CN")


@lru_cache(maxsize=65536)
def is_working_day(day: date) -> bool:
    return CHINA_CALENDAR.is_working_day(day)


@lru_cache(maxsize=8192)
def working_days_after(start: date, count: int) -> date:
    """The last day of a limit of `count` working days after `start` (`start` not counted; 0: `start` itself)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


@lru_cache(maxsize=256)
def _running_count(year: int) -> tuple[int, ...]:
    """The working days of `year` up to and including each of its days (a sweep counts days late by the
    thousand: read off these, not day by day)."""
    counts, total, day = [], 0, date(year, 1, 1)
    while day.year == year:
        total += is_working_day(day)
        counts.append(total)
        day += timedelta(days=1)
    return tuple(counts)


def _rank(day: date) -> int:
    return _running_count(day.year)[day.timetuple().tm_yday - 1]


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start`, up to and including `end` (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    return _rank(end) - _rank(start) + sum(_running_count(year)[-1] for year in range(start.year, end.year))
