"""The dates duban counts with, in China's calendar: month arithmetic, recurring deadlines, reporting periods.

Days are China's days (UTC+8): a report sent at 2026-04-10T17:00Z was sent on 11 April in Beijing.
"""

import calendar
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
# A recurring deadline's step, and a reporting cadence's period, in months.
MONTHS = {"yearly": 12, "half-yearly": 6, "quarterly": 3, "monthly": 1}


def local_date(value: date | datetime | str | None) -> date | None:
    """A stored date or time as China's calendar day (a naive time is read as UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(CHINA).date()
    return value


def china_time(at: datetime) -> str:
    """An instant as people here read it, in China time to the minute: 2026-12-01T08:05Z -> '2026-12-01 16:05' (a naive
    time is read as UTC). An instant China's clock cannot show (year 9999 in a zone west of it) keeps its own zone."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    try:
        local, zone = aware.astimezone(CHINA), ""
    except OverflowError:
        local, zone = aware, f" ({aware.strftime('%z')})"
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}{zone}"


def today_in_china() -> date:
    return datetime.now(CHINA).date()


def end_of_day(day: date) -> datetime:
    """The instant a China day ends (the next day's midnight in Beijing): "as of a day" means by then."""
    return datetime.combine(day + timedelta(days=1), time(), CHINA)


@lru_cache(maxsize=4096)
def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


@lru_cache(maxsize=65536)  # pure, and called for every assignment of a sweep
def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier). A month's last day stays its month's last day, so
    29 February is 28 February in a common year and 31 March plus a quarter is 30 June; a day a shorter
    month lacks falls back to that month's end (31 January plus a month is 28 or 29 February)."""
    year, month = divmod(_month_number(day) + months, 12)
    end = month_end(year, month + 1)
    if day == month_end(day.year, day.month):
        return end
    return end.replace(day=min(day.day, end.day))


class Recurring:
    """The occurrences of a recurring deadline: from its first date on, one per step (每年3月1日前:
    1 March every year). Without a date (每季度, 每年) they are the ends of the calendar periods
    (31 March, 30 June …; 31 December), from `not_before` on when known."""

    def __init__(self, first: date | None, recurrence: str, not_before: date | None = None):
        self.step = MONTHS[recurrence]
        self.anchor = first or month_end(2000, 12)  # any period end: the others follow by steps
        self.lowest = 0 if first else None
        if first is None and not_before is not None:
            self.lowest = self._index_on_or_after(not_before)

    def occurrence(self, index: int) -> date:
        return add_months(self.anchor, index * self.step)

    def _index_on_or_after(self, day: date) -> int:
        index = (_month_number(day) - _month_number(self.anchor)) // self.step - 1
        while self.occurrence(index) < day:
            index += 1
        return index

    def _allowed(self, index: int) -> bool:
        return self.lowest is None or index >= self.lowest

    def last_before(self, day: date) -> tuple[int, date] | None:
        """The latest occurrence strictly before `day`."""
        index = self._index_on_or_after(day) - 1
        return (index, self.occurrence(index)) if self._allowed(index) else None

    def next_on_or_after(self, day: date) -> tuple[int, date]:
        index = self._index_on_or_after(day)
        if not self._allowed(index):
            index = self.lowest
        return index, self.occurrence(index)


# Reporting periods (monthly or quarterly), numbered continuously: index = months since year 0 // length.

def period_index(day: date, months: int) -> int:
    return _month_number(day) // months


@lru_cache(maxsize=4096)
def period_end(index: int, months: int) -> date:
    year, month = divmod(index * months + months - 1, 12)
    return month_end(year, month + 1)


def period_label(index: int, months: int) -> str:
    """As reports name periods: 2026-Q1, 2026-03."""
    year, month = divmod(index * months, 12)
    return f"{year}-Q{month // 3 + 1}" if months == 3 else f"{year}-{month + 1:02d}"


def period_name(index: int, months: int) -> str:
    """In Chinese: 2026年第1季度, 2026年3月."""
    year, month = divmod(index * months, 12)
    return f"{year}年第{month // 3 + 1}季度" if months == 3 else f"{year}年{month + 1}月"


@lru_cache(maxsize=4096)
def label_end(label: str | None) -> date | None:
    """The last day of a reported period: 2026 → 31 Dec, 2026-H1 → 30 Jun, 2026-Q3 → 30 Sep, 2026-10 → 31 Oct."""
    if not label:
        return None
    try:
        year, _, part = label.partition("-")
        if not part:
            return date(int(year), 12, 31)
        if part[0] in "HQ":
            months = 6 if part[0] == "H" else 3
            return period_end(int(year) * 12 // months + int(part[1:]) - 1, months)
        return month_end(int(year), int(part))
    except ValueError:
        return None


@lru_cache(maxsize=256)
def due_period(today: date, months: int, grace_days: int) -> int:
    """The latest period whose report was due by now: its end plus the grace window lies before today
    (on the window's last day the report is not late yet)."""
    last_closed_day = today - timedelta(days=grace_days + 1)
    index = period_index(last_closed_day, months)
    return index if period_end(index, months) == last_closed_day else index - 1


# When a district's times can lie (reported_at, a ledger row's 填报时间): the one rule intake, the tracker and the
# ledger reader apply (issue 10 §4). Not before the plan's start (a report on a plan that had not begun is a
# mistyped year), else not before this floor (no plan tracked here starts earlier); not after now plus a small
# clock skew (a district's clock runs a little fast; year 9999 would win "latest report" for good).
EARLIEST_REPORT = date(2000, 1, 1)
CLOCK_SKEW = timedelta(minutes=10)
# The days a read route may be asked about (`as_of`, a past day): plans run in decades, not in year 9999, whose
# deadlines plus a grace window would leave the calendar.
LATEST_QUERY_DAY = date(2199, 12, 31)
# A day in that span, as a field or query parameter declares it (`Field(**DAY_SPAN)`, `Query(**DAY_SPAN)`): JSON
# Schema has no minimum for a date, so the document states the years as a pattern on the ISO text (2000–2199).
DAY_SPAN = {"ge": EARLIEST_REPORT, "le": LATEST_QUERY_DAY,
            "json_schema_extra": {"pattern": r"^2[01][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$"}}


class ReportWindow:
    """The instants a report's time may take: [start of `not_before` in China, now + skew]."""

    def __init__(self, not_before: date | None = None, *, now: datetime | None = None,
                 skew: timedelta = CLOCK_SKEW):
        self.earliest = datetime.combine(not_before or EARLIEST_REPORT, time(), CHINA)
        self.latest = (now or datetime.now(UTC)) + skew

    def __str__(self) -> str:
        return f"填报时间范围：{china_time(self.earliest)} 至 {china_time(self.latest)}，北京时间"

    def refusal(self, at: datetime, what: str = "reported_at") -> str | None:
        """Why `at` (an aware time) lies outside the window, in Chinese and China time, naming `what`; None when it
        lies inside."""
        if at < self.earliest:
            return f"{what} {china_time(at)} 早于方案开始时间（{self}）"
        if at > self.latest:
            return f"{what} {china_time(at)} 晚于当前时间（{self}）"
        return None

    def period_refusal(self, label: str) -> str | None:
        """Why a reported period (2026, 2026-Q3, …) cannot be reported on yet or any more: it ends before the
        window opens, or starts after it closes."""
        end = label_end(label)
        if end is None:
            return f"期间 {label!r} 不是有效的填报期间"
        refused = f"期间 {label} 不在填报时间范围内（{self}）"
        if end < self.earliest.date():
            return refused
        months = 12 if "-" not in label else 6 if "-H" in label else 3 if "-Q" in label else 1
        start = add_months(end, -months) + timedelta(days=1)
        return refused if start > self.latest.astimezone(CHINA).date() else None
