"""Which alerts open and which close between two evaluations, so each transition is announced exactly once.

Alerts are matched by key (kind, assignment, subject). A key open now and not before is raised; open before and
not now, cleared (the alert as it was last seen, so its history keeps the figures it closed with). An alert open
in both is the same alert, whatever its figures did; if its severity changed it is listed as changed (an
escalation from warning to critical is news a subscriber may want; raising it again would not be).

When: the transitions of a judgement on today take place now; those of a judgement on a past day (a sweep asked
`as_of` that day) on that day, at its last second in China, so the episodes it opens and closes carry that day
(reporting counts an alert for a day when it was open at the day's end: services/reporting/domain/flags.py). An
episode never closes before it opened: one opened after the past day judged closes at its opening.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.alerts.domain.alerts import Alert
from shared.domain.calendar import end_of_day


@dataclass(frozen=True)
class Transitions:
    raised: list[Alert]
    cleared: list[Alert]
    changed: list[tuple[Alert, Alert]]  # (before, now), severity changed
    open: list[Alert]  # every alert open now, raised or carried over, as evaluated now

    @property
    def quiet(self) -> bool:
        return not (self.raised or self.cleared or self.changed)


def transitions(previous: Iterable[Alert], current: Iterable[Alert]) -> Transitions:
    before = {a.key: a for a in previous}
    now = {a.key: a for a in current}
    return Transitions(
        raised=[a for key, a in now.items() if key not in before],
        cleared=[a for key, a in before.items() if key not in now],
        changed=[(before[key], a) for key, a in now.items() if key in before and before[key].severity != a.severity],
        open=list(now.values()),
    )


def judged_at(day: date, now: datetime) -> datetime:
    """The instant the transitions of a judgement on `day` take place: `now` (aware) for today or a day to come,
    the last second of a past day."""
    return min(now, end_of_day(day) - timedelta(seconds=1))


def closed_at(opened_at: datetime, at: datetime) -> datetime:
    """When an episode opened at `opened_at` and cleared by a judgement at `at` closes."""
    return max(opened_at, at)
