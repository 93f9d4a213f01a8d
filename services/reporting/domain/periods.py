"""Reporting periods: the current one at an as-of date, and whether a report is on it.

Labels follow the progress-reported contract: a year `2026`, a half `2026-H1`, a quarter `2026-Q3`,
a month `2026-10`.

- The current period, for each cadence, is the one the as-of date falls in (China's calendar): on 2026-10-08
  the month 2026-10, the quarter 2026-Q4, the half 2026-H2, the year 2026. A report's period says what it is
  on, whenever it was sent, so a closed period's figure keeps filling as late reports on it arrive: a report on
  2026-Q3 sent on 8 October counts for 2026-Q3 (as of any day of the third quarter), not for 2026-Q4.
- A report is on a period when the period it names ends within it (shared/domain/calendar.py's label_end, as the
  alerts' silent rule reads labels): for a quarter, its own label and its months'; a half-year or year label
  for the quarter (month) it ends in; for a year, any label of that year.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from shared.domain.calendar import label_end

Cadence = Literal["month", "quarter", "half", "year"]
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "half": 6, "year": 12}


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # the last day of the period

    def as_dict(self) -> dict:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}

    def reported_on(self, labels: Iterable[str | None]) -> bool:
        """One of these report labels is on this period (an unreadable or missing label is on none)."""
        return any((end := label_end(label)) is not None and self.start <= end <= self.end for label in labels)


def period_of(day: date, cadence: Cadence = "quarter") -> Period:
    """The period of `cadence` that `day` falls in: the current period at that as-of date."""
    months = MONTHS_PER_PERIOD[cadence]
    index = (day.month - 1) // months  # 0-based period within the year
    first_month = index * months + 1
    start = date(day.year, first_month, 1)
    after = first_month + months  # the first month of the next period
    end = (date(day.year + 1, 1, 1) if after > 12 else date(day.year, after, 1)) - timedelta(days=1)
    suffix = {"month": f"-{first_month:02d}", "quarter": f"-Q{index + 1}", "half": f"-H{index + 1}", "year": ""}
    return Period(f"{day.year}{suffix[cadence]}", start, end)
