"""Figures as of a past date: each assignment as it stood then — its latest report made by the end of that
day (later reported_at wins, ties by event id, as the tracker decides), evaluated at that day, with the
lagging and silent flags the alerts service had open at that day's end (flags.py). The tracker keeps every
report (progress_reports), so any past day can be rebuilt, and a monthly series is one evaluation per month end.
"""

from collections.abc import Iterable
from datetime import date

from services.reporting.domain.flags import Flag
from services.reporting.domain.snapshot import Snapshot
from shared.calendar import end_of_day, month_end
from shared.state import assignment_view


def join(assignments: Iterable[dict], progress_by_key: dict[str, dict]) -> list[dict]:
    """Assignments with their progress (shared/state.py's view); units that reported without being named
    in the measure (a collective unit's member) still count."""
    progress = dict(progress_by_key)
    views = [assignment_view(a, progress.pop(a["_id"], None)) for a in assignments]
    return views + [assignment_view(None, p) for p in progress.values()]


def latest_by(reports: Iterable[dict], day: date) -> dict[str, dict]:
    """The current report per assignment (measure|unit) among those made by the end of `day` (China)."""
    cutoff = end_of_day(day)
    latest: dict[str, dict] = {}
    for report in reports:
        if report["reported_at"] >= cutoff:
            continue
        key = f"{report['measure_id']}|{report['unit']}"
        current = latest.get(key)
        if current is None or (report["reported_at"], report["_id"]) > (current["reported_at"], current["_id"]):
            latest[key] = report
    return latest


def snapshot_as_of(assignments: list[dict], reports: list[dict], measures: dict[str, dict],
                   regions: dict[str, dict], flags: list[Flag], day: date) -> Snapshot:
    return Snapshot(join(assignments, latest_by(reports, day)), measures, regions, read_at=day.isoformat(),
                    flags=flags)


def month_ends(first: date, last: date) -> list[date]:
    """The last day of each month from `first`'s to `last`'s; the last month ends at `last` itself."""
    days, year, month = [], first.year, first.month
    while (end := month_end(year, month)) < last:
        days.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [*days, last]
