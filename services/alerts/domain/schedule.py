"""A measure as the rules see it, read once per measure: its start, its deadlines as occurrences, its targets.

- A one-off deadline (2023年底前) occurs once, on its date. A dated recurring one (每年3月1日前) occurs on its
  date and every step after (yearly, half-yearly, quarterly, monthly). An undated recurring one (每年, 每季度)
  occurs at the end of each calendar period from the measure's start on. An undated one-off deadline
  (持续推进) never occurs.
- Meeting an occurrence: a one-off deadline is met once the assignment is completed. A recurring deadline is
  met for an occurrence when the unit reported completion within that occurrence's cycle (after the previous
  occurrence): completing last year's 年度报告 does not meet this year's.
- The measure's deadline for 序时进度 is its latest dated one-off deadline, or, when it names none, the plan's
  deadline from the rules (`plan_deadline`).
"""

from dataclasses import dataclass
from datetime import date

from services.alerts.domain.calendar import Recurring, local_date


@dataclass(frozen=True)
class Deadline:
    text: str
    date: date | None
    recurrence: str | None = None
    not_before: date | None = None  # an undated recurring deadline's occurrences start here (the measure's start)

    def __post_init__(self):
        recurring = Recurring(self.date, self.recurrence, self.not_before) if self.recurrence else None
        object.__setattr__(self, "_recurring", recurring)

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


def met(cycle_start: date | None, assignment: dict) -> bool:
    """Whether the assignment's completion meets an occurrence whose cycle starts at `cycle_start`."""
    if assignment.get("status") != "completed":
        return False
    if cycle_start is None:
        return True
    completed_on = local_date(assignment.get("completed_at") or assignment.get("reported_at"))
    return completed_on is None or completed_on > cycle_start


@dataclass(frozen=True)
class Schedule:
    measure_id: str
    plan_id: str | None
    title: str
    start: date | None
    deadlines: tuple[Deadline, ...]
    final: Deadline | None  # the deadline 序时进度 runs to
    targets: tuple[dict, ...]
    reporting_start: date | None  # from when units owe reports: the start, else the measure's publication

    @classmethod
    def of(cls, measure: dict, plan_deadline: date | None = None) -> "Schedule":
        start = local_date(measure.get("start_date"))
        deadlines = tuple(
            Deadline(d["text"], local_date(d.get("date")), d.get("recurrence"), start)
            for d in measure.get("deadlines") or []
            if d.get("date") or d.get("recurrence")
        )
        one_off = [d for d in deadlines if d.recurrence is None]
        if not one_off and plan_deadline:
            plan_end = Deadline(f"实施方案期末({plan_deadline.year}年)", plan_deadline)
            deadlines, one_off = (*deadlines, plan_end), [plan_end]
        return cls(
            measure_id=measure.get("measure_id") or measure["_id"],
            plan_id=measure.get("plan_id"),
            title=measure.get("title", ""),
            start=start,
            deadlines=deadlines,
            final=max(one_off, key=lambda d: d.date, default=None),
            targets=tuple(measure.get("targets") or ()),
            reporting_start=start or local_date(measure.get("published_at")),
        )
