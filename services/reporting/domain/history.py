"""Figures as of a past date: each assignment as it stood then — its latest report made by the end of that
day (later reported_at wins, ties by event id, as the tracker decides), evaluated at that day, with the
flags the alerts service had open at that day's end (flags.py). Reporting keeps every report that was current
at some revision of its assignment (reporting_revisions, withdrawn ones left out), so any past day can be
rebuilt, and a monthly series is one evaluation per month end.

The flags are the alerts service's judgements: before the first episode reporting heard of opened, nothing had
been judged, so a day before it has no overdue, lagging or silent figure (None, "no data"), not 0.

A History holds what the days are rebuilt from and keeps each (day, cadence) evaluated, as figures per region
code only (a few hundred tallies, not one fact per assignment), so a series asked for the city and then for
each county evaluates each month end once.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from services.reporting.domain.assignments import as_reported, key_of, loop_then
from services.reporting.domain.flags import Flag, first_judgement, judged
from services.reporting.domain.lights import LightChange
from services.reporting.domain.periods import Cadence
from services.reporting.domain.snapshot import Evaluation, Snapshot
from shared.domain.calendar import add_months, end_of_day, month_end


def join(assignments: Iterable[dict], progress_by_key: dict[str, dict], day: date) -> list[dict]:
    """Assignments (assignments.py's view) with the reports given as current, by assignment key, and their loop as
    it stood at the end of `day` (assignments.loop_then); a report of an assignment no longer known (forgotten
    since: neither named nor reported now) still counts for its day."""
    progress, cutoff = dict(progress_by_key), end_of_day(day)
    views = [loop_then(as_reported(a, progress.pop(key_of(a["measure_id"], a["unit"]), None)), cutoff)
             for a in assignments]
    return views + [as_reported(None, p) for p in progress.values()]


def latest_by(reports: Iterable[dict], day: date) -> dict[str, dict]:
    """The current report per assignment (measure|unit) among those made by the end of `day` (China)."""
    cutoff = end_of_day(day)
    latest: dict[str, dict] = {}
    for report in reports:
        if report["reported_at"] >= cutoff:
            continue
        key = key_of(report["measure_id"], report["unit"])
        current = latest.get(key)
        if current is None or (report["reported_at"], report["_id"]) > (current["reported_at"], current["_id"]):
            latest[key] = report
    return latest


DAYS_KEPT = 128  # (day, cadence) evaluations kept per history read


@dataclass
class History:
    assignments: list[dict]
    reports: list[dict]  # every report current at some revision and not withdrawn (reporting_revisions)
    measures: dict[str, dict]
    regions: dict[str, dict]
    flags: list[Flag]
    light_changes: list[LightChange] = field(default_factory=list)
    _days: dict[tuple[date, str], Evaluation] = field(default_factory=dict, repr=False)

    def snapshot_on(self, day: date) -> Snapshot:
        """The state as it stood at the end of `day`."""
        return Snapshot(join(self.assignments, latest_by(self.reports, day), day), self.measures, self.regions,
                        read_at=day.isoformat(), flags=self.flags, light_changes=self.light_changes)

    def region_report(self, region_code: str, day: date, today: date, cadence: Cadence = "quarter") -> dict:
        """The region's figures (with its own units' and each child's) as they stood at the end of `day`; the
        flagged counts None on a day not judged by `today` (flags.judged)."""
        return self.registry.rollup_report(self.evaluation(day, cadence), region_code,
                                           judged(self.first_judgement, day, today))

    @cached_property
    def first_judgement(self) -> datetime | None:
        return first_judgement(self.flags)

    def evaluation(self, day: date, cadence: Cadence = "quarter") -> Evaluation:
        """The figures per region code at the end of `day`, kept once evaluated."""
        key = (day, cadence)
        if key not in self._days:
            if len(self._days) >= DAYS_KEPT:
                self._days.pop(next(iter(self._days)))
            evaluation = self.snapshot_on(day).evaluation(day, cadence)
            self._days[key] = Evaluation(evaluation.as_of, evaluation.period, {}, evaluation.leaves, {})
        return self._days[key]

    @cached_property
    def registry(self) -> Snapshot:
        """A snapshot without assignments: the regions' names and children, for labelling the figures."""
        return Snapshot([], self.measures, self.regions)


def default_months(last: date) -> list[date]:
    """The days of a monthly series by default: the month ends of the eleven months before `last`'s, and `last`."""
    return month_ends(add_months(last.replace(day=1), -11), last)


def month_ends(first: date, last: date) -> list[date]:
    """The last day of each month from `first`'s to `last`'s; the last month ends at `last` itself."""
    days, year, month = [], first.year, first.month
    while (end := month_end(year, month)) < last:
        days.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [*days, last]
