"""Lagging and silent assignments: as the alerts service flags them, so the reports and the alert list agree.

The alerts service judges both under each plan's rules (services/alerts/rules.yaml: tolerances, the reporting
cadence and its grace days): lagging behind 序时进度 or a target's trajectory, silent when the report for the due
period is missing. It keeps when each alert opened and closed (collections open_alerts and alert_history), so
the reports count by its judgement instead of restating the rules:

- an assignment counts as lagging (silent) on a day when an alert of that kind for it — of any subject: its
  progress or one of its indicators — was open at the end of that day (China);
- a day not over yet counts the alerts open now; days before the alerts service first ran count none.

The reporting rate (rollup.py) is a different figure: units that sent a report during the current period.
Silent looks at the period whose report is already due (the previous one, once its grace days have passed).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from shared.calendar import end_of_day

FLAGGED_KINDS = ("lagging", "silent")


@dataclass(frozen=True)
class Flag:
    """One alert episode of a flagged kind: whom it concerned, and when it was open."""
    kind: str
    measure_id: str
    unit: str
    opened_at: datetime
    closed_at: datetime | None = None  # None: still open

    def open_at(self, instant: datetime) -> bool:
        return self.opened_at < instant and (self.closed_at is None or self.closed_at >= instant)


@dataclass(frozen=True)
class Flagged:
    """The (measure, unit) pairs flagged lagging and silent on one day."""
    lagging: frozenset[tuple[str, str]] = frozenset()
    silent: frozenset[tuple[str, str]] = frozenset()


NOTHING_FLAGGED = Flagged()


def open_flags(open_alerts: Iterable[dict]) -> list[Flag]:
    """The flags of the alerts open now, as the snapshot holds them (the alert's JSON, opened_at in ISO form)."""
    return [Flag(a["kind"], a["measure_id"], a["unit"], datetime.fromisoformat(a["opened_at"]))
            for a in open_alerts if a["kind"] in FLAGGED_KINDS]


def flagged_on(flags: Iterable[Flag], day: date) -> Flagged:
    instant = end_of_day(day)
    found: dict[str, set[tuple[str, str]]] = {kind: set() for kind in FLAGGED_KINDS}
    for flag in flags:
        if flag.kind in found and flag.open_at(instant):
            found[flag.kind].add((flag.measure_id, flag.unit))
    return Flagged(frozenset(found["lagging"]), frozenset(found["silent"]))
