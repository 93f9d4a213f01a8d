"""When an assignment is due, overdue, or completed on time, at an as-of date.

The deadlines' occurrences and when an assignment meets one are shared with the alerts service
(shared/deadlines.py), so reports count an assignment overdue exactly when alerts flag it.

- Overdue on a day: some deadline's latest occurrence before that day is not met.
- The due date (the nearest deadline) is the earliest occurrence of any deadline; completed on time:
  completed on or before it, before the assignment could ever have been overdue. With nothing due, a
  completion is on time. (Alerts' per-plan `plan_deadline` rule, which gives measures without a dated
  one-off deadline the plan's last day, is not applied here: it is not set by default.)
"""

from dataclasses import dataclass
from datetime import date

from shared.calendar import local_date
from shared.deadlines import deadlines_of, met


@dataclass(frozen=True)
class Schedule:
    """A measure's deadlines, evaluated once per as-of date for all of its assignments."""
    due: date | None  # the earliest occurrence: the nearest deadline
    cycles: tuple[date | None, ...]  # per deadline occurred before the as-of date: its cycle start

    @classmethod
    def of(cls, measure: dict, as_of: date) -> "Schedule":
        deadlines = deadlines_of(measure)
        firsts = [first for deadline in deadlines if (first := deadline.first())]
        passed = [found[1] for deadline in deadlines if (found := deadline.last_before(as_of))]
        return cls(min(firsts, default=None), tuple(passed))

    def overdue(self, status: str, completed_at) -> bool:
        assignment = {"status": status, "completed_at": completed_at}
        return any(not met(cycle_start, assignment) for cycle_start in self.cycles)

    def on_time(self, status: str, completed_at) -> bool:
        """Completed on or before the due date; a completion without a date is on time only when nothing is due."""
        if status != "completed":
            return False
        completed_on = local_date(completed_at)
        return self.due is None or (completed_on is not None and completed_on <= self.due)
