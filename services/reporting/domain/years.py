"""Which years and periods reporting may be asked about: one rule for every route taking a year (the annual report,
its documents, the scores, the lights) or a period (the bulletin).

A year from FIRST_YEAR, the earliest plan year the platform accepts (no plan tracked here starts earlier, and no
report before it is admitted: shared/domain/calendar.EARLIEST_REPORT), to the year in progress in China: a year not
begun has no figures, scores or lights yet, and a year before the first holds no plan. A period (2026, 2026-H1,
2026-Q3, 2026-10) likewise: its year from FIRST_YEAR on, and begun by today. Each refusal says why in Chinese with
the years that may be asked, under a slug clients key on: `year-out-of-range` (before the first year),
`year-not-begun`, `period-not-begun`.
"""

from dataclasses import dataclass
from datetime import date

from services.reporting.domain.documents.wording import cadence_of
from services.reporting.domain.periods import period_of
from shared.domain.calendar import EARLIEST_REPORT, label_end

FIRST_YEAR = EARLIEST_REPORT.year


@dataclass(frozen=True)
class NotAskable:
    slug: str
    detail: str


def year_refusal(year: int, today: date) -> NotAskable | None:
    """Why `year` may not be asked about on `today` (China's day); None when it may."""
    span = f"可查询 {FIRST_YEAR} 年至 {today.year} 年"
    if year < FIRST_YEAR:
        return NotAskable("year-out-of-range", f"{year} 年早于平台受理的最早方案年份（{FIRST_YEAR} 年）：{span}")
    if year > today.year:
        return NotAskable("year-not-begun", f"{year} 年尚未开始：{span}")
    return None


def period_refusal(label: str, today: date) -> NotAskable | None:
    """Why the period `label` (as shared/contracts/progress.Period) may not be asked about on `today`; None when it
    may."""
    if (year := int(label[:4])) < FIRST_YEAR:
        return year_refusal(year, today)
    start = period_of(label_end(label), cadence_of(label)).start
    if start > today:
        return NotAskable("period-not-begun", f"{label} 期间自 {start.isoformat()} 开始，尚未开始："
                                              f"可查询 {FIRST_YEAR} 年起至今已开始的期间")
    return None
