"""Simulated district traffic: what N districts' units send over D days, as the demo city's systems might.

Pure: from assignments and a calendar to a list of dated reports, reproducible from a seed. The sender is
cli/simulate.py. What real reporting looks like, and what the pipeline must bear:
- month-end peaks: most units report their month in its last three days (the 月报 deadline), some earlier;
- late reporters: a share of units send their month in the first days of the next one;
- missing reporters: a share of units never report (they come out silent, and alerts should say so);
- duplicates: a district system resends a report it already sent (same content, a new request);
- bad records: now and then a report intake must refuse (a percentage over 100, a measure that does not exist,
  a period that is not one), each refused on its own without losing the others.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from services.tracker.domain.assignments import Assignment
from shared.domain.calendar import CHINA

STATUSES = ("in_progress", "in_progress", "in_progress", "blocked")


@dataclass(frozen=True)
class Shares:
    """Shares of units (missing, late) and of reports (duplicate, bad), each between 0 and 1."""

    missing: float = 0.1
    late: float = 0.15
    duplicate: float = 0.03
    bad: float = 0.01


@dataclass(frozen=True)
class Simulated:
    """One request's report as sent (`report` as POST /v1/progress takes it) and what it is meant to be:
    'report', 'duplicate' (of the one before it) or 'bad' (intake must refuse it)."""

    at: datetime
    kind: str
    report: dict


def month_end(day: date) -> date:
    first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = month_end(month) + timedelta(days=1)
    return months


def reporting_day(month: date, late: bool, rng: random.Random) -> date:
    end = month_end(month)
    if late:
        return end + timedelta(days=rng.randint(1, 5))
    if rng.random() < 0.7:  # the month-end peak
        return end - timedelta(days=rng.randint(0, 2))
    return month + timedelta(days=rng.randint(0, end.day - 1))


def corrupted(report: dict, rng: random.Random) -> dict:
    return rng.choice([
        {**report, "percent_complete": 130},
        {**report, "measure_id": f"{report['measure_id']}-0"},
        {**report, "period": f"{report['period']}-99"},
    ])


def simulate(assignments: Iterable[Assignment], first: date, until: datetime, shares: Shares = Shares(),
             seed: int = 12) -> list[Simulated]:
    """Every report the units of `assignments` send from the day `first` (in China) to `until` (an aware time:
    nothing is dated after it, so intake does not refuse a report as from the future), in sending order.
    One report per assignment and month, its percentage rising month by month."""
    rng, last = random.Random(seed), until.astimezone(CHINA).date()
    units = sorted({(a.unit, a.region_code) for a in assignments})
    missing = {unit for unit in units if rng.random() < shares.missing}
    late = {unit for unit in units if rng.random() < shares.late}
    sent: list[Simulated] = []
    for assignment in assignments:
        unit = (assignment.unit, assignment.region_code)
        if unit in missing:
            continue
        percent = rng.randint(0, 30)
        for month in months_between(first - timedelta(days=5), last):
            percent = min(100, percent + rng.randint(5, 20))
            day = reporting_day(month, unit in late, rng)
            if not first <= day <= last:
                continue
            during_office_hours = time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59))
            at = min(until, datetime.combine(day, during_office_hours, CHINA))
            report = {"measure_id": assignment.measure_id, "unit": assignment.unit,
                      "region_code": assignment.region_code, "period": month.strftime("%Y-%m"),
                      "percent_complete": percent, "reported_at": at.isoformat(),
                      "status": "completed" if percent == 100 else rng.choice(STATUSES)}
            if rng.random() < shares.bad:
                sent.append(Simulated(at, "bad", corrupted(report, rng)))
                continue
            sent.append(Simulated(at, "report", report))
            if rng.random() < shares.duplicate:
                sent.append(Simulated(at + timedelta(minutes=rng.randint(1, 90)), "duplicate", report))
    return sorted(sent, key=lambda s: s.at)
