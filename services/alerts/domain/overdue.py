"""When an assignment is overdue: a deadline occurrence has passed and the unit has not completed.

A deadline is met on its own day: an assignment becomes overdue the day after. A yearly deadline
(每年3月1日前) falls due every year from its first date on; the latest passed occurrence is the one
a unit is late for.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Overdue:
    deadline_text: str
    due: date
    days_overdue: int


def last_passed_occurrence(due: date, recurrence: str | None, today: date) -> date | None:
    if recurrence == "yearly":
        this_year = _same_day_in(today.year, due)
        occurrence = this_year if this_year < today else _same_day_in(today.year - 1, due)
        return occurrence if occurrence >= due else None
    return due if due < today else None


def _same_day_in(year: int, day: date) -> date:
    # 29 February falls back to 28 February in common years.
    return day.replace(year=year, day=min(day.day, 28)) if day.month == 2 and day.day == 29 else day.replace(year=year)


def overdue(deadlines: list[dict], status: str, today: date) -> Overdue | None:
    """The most recent deadline the assignment is late for, or None."""
    if status == "completed":
        return None
    passed = [
        (occurrence, deadline["text"])
        for deadline in deadlines
        if deadline.get("date")
        and (occurrence := last_passed_occurrence(
            date.fromisoformat(deadline["date"]), deadline.get("recurrence"), today))
    ]
    if not passed:
        return None
    due, text = max(passed)
    return Overdue(deadline_text=text, due=due, days_overdue=(today - due).days)
