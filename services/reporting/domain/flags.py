"""Overdue, lagging and silent assignments: as the alerts service judges them, so the reports and the alerts agree.

The alerts service is the one home of these rules (services/alerts/domain: overdue.py, lagging.py, silent.py),
judged under each plan's rules (services/alerts/rules.yaml: `plan_deadline` for measures naming no deadline,
tolerances, the reporting cadence and its grace days). Its alert-raised and alert-cleared events say when each
alert opened and closed, so the reports count its judgements instead of restating the rules:

- an assignment counts as overdue (lagging, silent) on a day when an alert of that kind for it — of any subject:
  its progress or one of its indicators — was open at the end of that day (China);
- completed on time: completed, and no overdue alert for it was open at its completed_at (`Flagged.late`);
- a day not over yet counts the alerts open now; days before the alerts service first ran count none.

The reporting rate (rollup.py) is a different figure: units that reported on the current period (periods.py).
Silent looks at the period whose report is already due (the previous one, once its grace days have passed).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from shared.domain.calendar import end_of_day

FLAGGED_KINDS = ("overdue", "lagging", "silent")
Key = tuple[str, str]  # (measure_id, unit)


@dataclass(frozen=True)
class Flag:
    """One alert episode of a flagged kind: whom it concerned, and when it was open."""
    kind: str
    measure_id: str
    unit: str
    opened_at: datetime
    closed_at: datetime | None = None  # None: still open
    due: date | None = None  # overdue: the deadline occurrence the alert says was missed (its figures' `due`)

    def open_at(self, instant: datetime) -> bool:
        return self.opened_at < instant and (self.closed_at is None or self.closed_at >= instant)


@dataclass(frozen=True)
class Flagged:
    """The (measure, unit) pairs flagged overdue, lagging and silent on one day; every overdue episode per pair
    (any day's: a completion is judged at its own instant, `late`); the due date of each pair overdue that day."""
    lagging: frozenset[Key] = frozenset()
    silent: frozenset[Key] = frozenset()
    overdue: frozenset[Key] = frozenset()
    overdue_episodes: Mapping[Key, tuple[Flag, ...]] = field(default_factory=dict, compare=False, repr=False)
    overdue_due: Mapping[Key, date | None] = field(default_factory=dict, compare=False, repr=False)

    def late(self, key: Key, completed_at: datetime | None) -> bool:
        """An overdue alert for the assignment was open at `completed_at`; a completion without a time is late
        when any overdue alert for it was ever opened (it cannot be shown to precede them)."""
        episodes = self.overdue_episodes.get(key, ())
        if completed_at is None:
            return bool(episodes)
        instant = aware(completed_at)
        return any(episode.open_at(instant) for episode in episodes)


NOTHING_FLAGGED = Flagged()


def aware(instant: datetime | str) -> datetime:
    """A stored time as an aware one (ISO text as the snapshot's JSON holds it; a naive time is UTC)."""
    instant = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def open_flags(open_alerts: Iterable[dict]) -> list[Flag]:
    """The flags of the alerts open now, as the snapshot holds them (the alert's JSON, opened_at in ISO form;
    an overdue alert's `figures.due`, where given, as an ISO date)."""
    return [Flag(a["kind"], a["measure_id"], a["unit"], datetime.fromisoformat(a["opened_at"]),
                 due=_day((a.get("figures") or {}).get("due")))
            for a in open_alerts if a["kind"] in FLAGGED_KINDS]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):  # a figure that is not a date names no due date
        return None


def first_judgement(flags: Iterable[Flag]) -> datetime | None:
    """When the earliest alert episode of a flagged kind opened (None: the alerts service flagged nothing)."""
    return min((flag.opened_at for flag in flags if flag.kind in FLAGGED_KINDS), default=None)


def judged(first: datetime | None, day: date, today: date) -> bool:
    """Whether the alerts service's judgement of `day` (China) exists to count: it judges each day as it comes, so
    today always, a day after `today` not yet, and a past day once its first episode (`first_judgement`) had
    opened by that day's end. Where not, reporting's overdue, lagging and silent are unknown (None), not 0."""
    if day == today:
        return True
    return day < today and first is not None and first < end_of_day(day)


def flagged_on(flags: Iterable[Flag], day: date) -> Flagged:
    """The pairs flagged at the end of `day` (China), with the overdue episodes of every day."""
    instant = end_of_day(day)
    found: dict[str, set[Key]] = {kind: set() for kind in FLAGGED_KINDS}
    episodes: dict[Key, list[Flag]] = {}
    due: dict[Key, date | None] = {}
    for flag in flags:
        if flag.kind not in found:
            continue
        key = (flag.measure_id, flag.unit)
        if flag.open_at(instant):
            found[flag.kind].add(key)
            if flag.kind == "overdue":
                due[key] = flag.due
        if flag.kind == "overdue":
            episodes.setdefault(key, []).append(flag)
    return Flagged(frozenset(found["lagging"]), frozenset(found["silent"]), frozenset(found["overdue"]),
                   {key: tuple(flags) for key, flags in episodes.items()}, due)
