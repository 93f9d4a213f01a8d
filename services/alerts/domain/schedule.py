"""A measure as the rules see it, read once per measure: its start, its deadlines as occurrences, its targets.

What a deadline's occurrences are and when an assignment meets one: shared/domain/deadlines.py. The measure's
deadline for 序时进度 is its latest dated one-off deadline, or, when it names none, the plan's deadline from
the rules (`plan_deadline`).
"""

from dataclasses import dataclass
from datetime import date

from shared.domain.calendar import local_date
from shared.domain.deadlines import Deadline, deadlines_of


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
    issued_on: date | None = None  # 交办: the day (China) of the measure's publication, its measure-created's time
    lead_units: tuple[str, ...] = ()  # 牵头单位, as the measure writes them

    @classmethod
    def of(cls, measure: dict, plan_deadline: date | None = None) -> "Schedule":
        start = local_date(measure.get("start_date"))
        deadlines = deadlines_of(measure)
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
            issued_on=local_date(measure.get("published_at")),
            lead_units=tuple(measure.get("lead_units") or ()),
        )
