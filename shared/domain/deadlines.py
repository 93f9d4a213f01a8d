"""A measure's deadlines as occurrences, and when an assignment meets one: one meaning for alerts and reports.

- A one-off deadline (2023年底前) occurs once, on its date. A dated recurring one (每年3月1日前) occurs on its
  date and every step after (yearly, half-yearly, quarterly, monthly). An undated recurring one (每年, 每季度)
  occurs at the end of each calendar period from the measure's start on. An undated one-off deadline
  (持续推进) never occurs.
- A deadline is met on its own day. A one-off occurrence is met once the assignment is completed; a recurring
  one when the unit reported completion within that occurrence's cycle (after the previous occurrence):
  completing last year's 年度报告 does not meet this year's.
"""

from dataclasses import dataclass
from datetime import date

from shared.domain.calendar import Recurring, local_date


@dataclass(frozen=True)
class Deadline:
    text: str
    date: date | None
    recurrence: str | None = None
    not_before: date | None = None  # an undated recurring deadline's occurrences start here (the measure's start)

    def __post_init__(self):
        recurring = Recurring(self.date, self.recurrence, self.not_before) if self.recurrence else None
        object.__setattr__(self, "_recurring", recurring)

    def first(self) -> date | None:
        """The earliest occurrence (None for an undated recurring deadline without a start)."""
        if self._recurring:
            return None if self._recurring.lowest is None else self._recurring.occurrence(self._recurring.lowest)
        return self.date

    def last_before(self, day: date) -> tuple[date, date | None] | None:
        """The latest occurrence before `day`, and the start of its cycle (None for a one-off deadline)."""
        if self._recurring:
            found = self._recurring.last_before(day)
            return found and (found[1], self._recurring.occurrence(found[0] - 1))
        return (self.date, None) if self.date and self.date < day else None

    def next_on_or_after(self, day: date) -> tuple[date, date | None] | None:
        """The earliest occurrence on or after `day`, and the start of its cycle."""
        if self._recurring:
            index, occurrence = self._recurring.next_on_or_after(day)
            return occurrence, self._recurring.occurrence(index - 1)
        return (self.date, None) if self.date and self.date >= day else None


def deadlines_of(measure: dict) -> tuple[Deadline, ...]:
    """The deadlines of a stored measure that ever fall due."""
    start = local_date(measure.get("start_date"))
    return tuple(
        Deadline(d["text"], local_date(d.get("date")), d.get("recurrence"), start)
        for d in measure.get("deadlines") or []
        if d.get("date") or d.get("recurrence")
    )


def met(cycle_start: date | None, assignment: dict) -> bool:
    """Whether the assignment's completion meets an occurrence whose cycle starts at `cycle_start`."""
    if assignment.get("status") != "completed":
        return False
    if cycle_start is None:
        return True
    completed_on = local_date(assignment.get("completed_at") or assignment.get("reported_at"))
    return completed_on is None or completed_on > cycle_start
