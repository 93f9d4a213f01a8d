"""When an assignment is due, overdue, or completed on time, in China's calendar.

The meaning is the alerts service's (services/alerts/domain/schedule.py and overdue.py, with its default
rules), restated here rather than imported so that reporting depends on no other service — the two should
move into one shared module; until then tests/unit/reporting/test_rollup.py checks them against each other:

- A one-off deadline (2023年底前) occurs once, on its date. A dated recurring one (每年3月1日前) occurs on its
  date and every step after (yearly, half-yearly, quarterly, monthly; a month's last day stays the last day).
  An undated recurring one (每年, 每季度) occurs at the end of each calendar period, from the measure's start
  on when it has one. An undated one-off deadline (持续推进) never occurs.
- A deadline is met on its own day. Overdue on a day: some deadline's latest occurrence before that day is
  not met. A one-off occurrence is met once the assignment is completed; a recurring one when the unit
  reported completion within that occurrence's cycle (after the previous occurrence) — completing last year's
  年度报告 does not meet this year's, so a completed assignment can be overdue again.
- The due date (the nearest deadline) is the earliest occurrence of any deadline; completed on time:
  completed on or before it, before the assignment could ever have been overdue. With nothing due, a
  completion is on time. (Alerts' per-plan `plan_deadline` rule, which gives measures without a dated
  one-off deadline the plan's last day, is not applied here: it is not set by default.)
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

# Units report, and plans set deadlines, in China Standard Time (UTC+8, no daylight saving).
CHINA = timezone(timedelta(hours=8), "CST")
STEP_MONTHS = {"yearly": 12, "half-yearly": 6, "quarterly": 3, "monthly": 1}
PERIOD_END = date(2000, 12, 31)  # any calendar period's end: an undated recurring deadline's occurrences follow


def local_date(moment: date | datetime | str | None) -> date | None:
    """A stored date or time as China's calendar day (a naive time is read as UTC)."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment) if "T" in moment else date.fromisoformat(moment)
    if isinstance(moment, datetime):
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA).date()
    return moment


def _months(day: date) -> int:
    return day.year * 12 + day.month - 1


def shift_months(day: date, months: int) -> date:
    """`months` later or earlier; a month's last day stays the last day, a missing day becomes the month's end."""
    year, month0 = divmod(_months(day) + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    at_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month0 + 1, last if at_end else min(day.day, last))


@dataclass(frozen=True)
class Occurrences:
    """A deadline's occurrences: anchor + k steps for k ≥ lowest (lowest None: unbounded; step 0: one-off)."""
    anchor: date
    step: int
    lowest: int | None

    @classmethod
    def of(cls, deadline: dict, start: date | None) -> "Occurrences | None":
        day, step = local_date(deadline.get("date")), STEP_MONTHS.get(deadline.get("recurrence") or "", 0)
        if day is not None:
            return cls(day, step, 0)
        if not step:
            return None  # 持续推进: never due
        undated = cls(PERIOD_END, step, None)
        return undated if start is None else cls(PERIOD_END, step, undated._first_on_or_after(start))

    def at(self, index: int) -> date:
        return shift_months(self.anchor, index * self.step)

    def _first_on_or_after(self, day: date) -> int:
        index = (_months(day) - _months(self.anchor)) // self.step - 1
        while self.at(index) < day:
            index += 1
        return index

    def first(self) -> date | None:
        return None if self.lowest is None else self.at(self.lowest)

    def last_before(self, day: date) -> tuple[date, date | None] | None:
        """The latest occurrence before `day` and the start of its cycle (None for a one-off deadline)."""
        if not self.step:
            return (self.anchor, None) if self.anchor < day else None
        index = self._first_on_or_after(day) - 1
        if self.lowest is not None and index < self.lowest:
            return None
        return self.at(index), self.at(index - 1)


@dataclass(frozen=True)
class Schedule:
    """A measure's deadlines, evaluated once per as-of date for all of its assignments."""
    due: date | None  # the earliest occurrence: the nearest deadline
    cycles: tuple[date | None, ...]  # per deadline occurred before the as-of date: its cycle start

    @classmethod
    def of(cls, measure: dict, as_of: date) -> "Schedule":
        start = local_date(measure.get("start_date"))
        occurrences = [o for d in measure.get("deadlines") or [] if (o := Occurrences.of(d, start))]
        firsts = [first for o in occurrences if (first := o.first())]
        passed = [found[1] for o in occurrences if (found := o.last_before(as_of))]
        return cls(min(firsts, default=None), tuple(passed))

    def overdue(self, status: str, completed_at) -> bool:
        return any(not _met(cycle_start, status, completed_at) for cycle_start in self.cycles)

    def on_time(self, status: str, completed_at) -> bool:
        """Completed on or before the due date; a completion without a date is on time only when nothing is due."""
        if status != "completed":
            return False
        completed_on = local_date(completed_at)
        return self.due is None or (completed_on is not None and completed_on <= self.due)


def _met(cycle_start: date | None, status: str, completed_at) -> bool:
    if status != "completed":
        return False
    completed_on = local_date(completed_at)
    return cycle_start is None or completed_on is None or completed_on > cycle_start
