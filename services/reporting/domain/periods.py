"""Reporting periods: the one a date falls in, labelled as progress reports label theirs.

Labels follow the progress-reported contract: a year `2026`, a half `2026-H1`, a quarter `2026-Q3`,
a month `2026-10`. A unit "reported in the current period" when one of its reports was made (reported_at,
in China's calendar) between the start of the period the as-of date falls in and that date.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Cadence = Literal["month", "quarter", "half", "year"]
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "half": 6, "year": 12}


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # the last day of the period

    def as_dict(self) -> dict:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


def period_of(day: date, cadence: Cadence = "quarter") -> Period:
    months = MONTHS_PER_PERIOD[cadence]
    index = (day.month - 1) // months  # 0-based period within the year
    first_month = index * months + 1
    start = date(day.year, first_month, 1)
    after = first_month + months  # the first month of the next period
    end = (date(day.year + 1, 1, 1) if after > 12 else date(day.year, after, 1)) - timedelta(days=1)
    suffix = {"month": f"-{first_month:02d}", "quarter": f"-Q{index + 1}", "half": f"-H{index + 1}", "year": ""}
    return Period(f"{day.year}{suffix[cadence]}", start, end)
