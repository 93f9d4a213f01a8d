"""Consolidated figures over assignments: counts that add up, and the rates derived from them.

Every figure is kept as a count (or a sum), so the figures of disjoint sets of assignments add up exactly;
the rates are derived only when shown. What each count means, for the assignments' state (the tracker's
assignment-updated view) and an as-of date (the day the alerts' judgements and the current period are taken at):

- assignments: (measure, unit) pairs; completed / awaiting_verification / in_progress / not_started / blocked: by
  where each stands (`standing`), which add up to assignments:
  - completed (已完成, 已销号): closed out (销号), its completion verified by the lead unit or the supervising office
    (the tracker's loop_state `closed_out`), whatever its last report says;
  - awaiting_verification (已申请办结待核查): claimed done but not verified: a completion request waiting
    (loop_state `completion_requested`), or a report saying `completed` with no verified completion (a plan run
    without the loop, events from before it, or a request returned while the report still says completed: the
    unit's own word, which counts as done only once verified);
  - otherwise by the current report's status (an assignment nobody reported on is not started);
- overdue / lagging / silent: the alerts service's judgements, never restated here (flags.py): an alert of
  that kind for the assignment was open at the end of the as-of day (its rules, per plan: services/alerts/domain
  and rules.yaml — a deadline's latest occurrence passed unmet, the plan's deadline for measures naming none;
  behind 序时进度 or a target's trajectory; the due period's report missing);
- completed_on_time: completed (closed out), and no overdue alert for it was open at its completed_at, when the
  unit reported it done (flags.py `late`: the time verification takes is not held against the unit);
  due_or_completed: completed or overdue, the assignments the on-time rate is taken over;
- lights_red / lights_yellow / lights_green: the assignments the alerts service lit red, yellow, green as of the
  day (lights.py; unlit ones in none), and `light`, the light of the set by lights.py's `overall`;
- percent_total: the sum of the percentages the units typed (average_percent_complete = percent_total /
  assignments);
- units: distinct (unit, region) pairs among the assignments — a unit belongs to one region, so units of
  different regions never overlap and a region's units are the sum over its parts; units_reported: those with a
  report ON the current period (the period the as-of date falls in, periods.py), whenever it was sent: one of
  the assignment's `periods_reported` (every period with a counted report; the current report's `period` where
  the view has no such list) is on that period. A report on 2026-Q3 sent in October counts for 2026-Q3, not for
  2026-Q4. reporting_rate = units_reported / units (silent, by contrast, is about the period whose report is
  already due, under the plan's cadence and grace days);
- targets_reported: quantitative targets (a measure's targets, for each of its assignments) for which the
  unit reported a value; targets_met: those meeting the target (shared/domain/targets.py); attainment_rate =
  targets_met / targets_reported.

The rates are derived here only (RATES): completion_rate = completed / assignments (closed out, so claims waiting
for verification do not raise it), on_time_rate = completed_on_time / due_or_completed, reporting_rate =
units_reported / units, attainment_rate = targets_met / targets_reported; each None where its denominator is 0.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import NamedTuple

import structlog

from services.reporting.domain.flags import NOTHING_FLAGGED, Flagged
from services.reporting.domain.lights import Key, Light, overall
from services.reporting.domain.periods import Period
from services.reporting.domain.regions import child_of
from shared.domain.targets import attainment

STATUSES = ("completed", "awaiting_verification", "in_progress", "not_started", "blocked")
CLOSED_OUT, COMPLETION_REQUESTED = "closed_out", "completion_requested"  # the tracker's loop states
log = structlog.get_logger()


@dataclass(frozen=True)
class Tally:
    assignments: int = 0
    completed: int = 0
    completed_on_time: int = 0
    in_progress: int = 0
    not_started: int = 0
    blocked: int = 0
    overdue: int = 0
    lagging: int = 0
    silent: int = 0
    due_or_completed: int = 0
    percent_total: float = 0.0
    units: int = 0
    units_reported: int = 0
    targets_reported: int = 0
    targets_met: int = 0
    awaiting_verification: int = 0
    lights_red: int = 0
    lights_yellow: int = 0
    lights_green: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def average_percent_complete(self) -> float:
        return self.percent_total / self.assignments if self.assignments else 0.0

    @property
    def completion_rate(self) -> float | None:
        return _share(self.completed, self.assignments)

    @property
    def on_time_rate(self) -> float | None:
        """Completed on time among the assignments that are done or past due (None: nothing due yet)."""
        return _share(self.completed_on_time, self.due_or_completed)

    @property
    def reporting_rate(self) -> float | None:
        return _share(self.units_reported, self.units)

    @property
    def attainment_rate(self) -> float | None:
        return _share(self.targets_met, self.targets_reported)

    @property
    def light(self) -> Light | None:
        return overall(self.lights_red, self.lights_yellow, self.lights_green)

    def as_dict(self) -> dict:
        """Counts, the light, then rates as percentages to one decimal (None where the denominator is zero)."""
        counts = asdict(self)
        counts["percent_total"] = round(self.percent_total, 6)
        return {**counts, "light": self.light, "average_percent_complete": round(self.average_percent_complete, 1),
                **{name: _percent(getattr(self, name)) for name in RATES}}


RATES = ("completion_rate", "on_time_rate", "reporting_rate", "attainment_rate")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


class Fact(NamedTuple):
    """One assignment as the figures see it, evaluated at an as-of date."""
    measure_id: str
    unit: str
    unit_name: str
    role: str | None
    region_code: str
    status: str  # where it stands (`standing`): a status, or awaiting_verification
    percent: float
    on_time: bool
    overdue: bool
    lagging: bool
    silent: bool
    reported: bool
    targets_reported: int
    targets_met: int
    light: Light | None = None


def evaluate(assignments: Iterable[dict], measures: Mapping[str, dict], as_of: date, period: Period,
             flagged: Flagged = NOTHING_FLAGGED, lights: Mapping[Key, Light] | None = None) -> list[Fact]:
    """Each assignment (the assignment-updated view) with what it counts for at `as_of`; `flagged`: the
    assignments the alerts service flagged overdue, lagging or silent at `as_of` (flags.flagged_on); `lights`:
    each assignment's light at `as_of` (lights.lights_on), unlit where absent."""
    facts = []
    for a in assignments:
        try:
            facts.append(fact(a, measures, period, flagged, lights or {}))
        except Exception as error:  # one record no figure can be made of must not take every figure down
            log.warning("assignment_not_counted", measure_id=a.get("measure_id"), unit=a.get("unit"),
                        as_of=as_of.isoformat(), reason=repr(error))
    return facts


def standing(view: Mapping) -> str:
    """Where an assignment stands for the figures: completed only once closed out, awaiting_verification when
    claimed done but not verified, else its report's status (the definitions above). Raises KeyError without a
    status."""
    if view.get("loop_state") == CLOSED_OUT:
        return "completed"
    if view.get("loop_state") == COMPLETION_REQUESTED or view["status"] == "completed":
        return "awaiting_verification"
    return view["status"]


def fact(a: dict, measures: Mapping[str, dict], period: Period, flagged: Flagged = NOTHING_FLAGGED,
         lights: Mapping[Key, Light] | None = None) -> Fact:
    """One assignment's contribution in `period` (the current one), under the alerts' judgements `flagged` and
    lights `lights`. Raises KeyError for a view without measure_id, unit, region_code or status."""
    measure_id, status = a["measure_id"], standing(a)
    periods = a.get("periods_reported")
    reported = period.reported_on([a.get("period")] if periods is None else periods)
    targets = (measures.get(measure_id) or {}).get("targets") or []
    met = attainment(targets, a.get("indicator_values") or {}) if targets else ()
    key = (measure_id, a["unit"])
    on_time = status == "completed" and not flagged.late(key, a.get("completed_at"))
    return Fact(
        measure_id, a["unit"], a.get("unit_name") or a["unit"], a.get("role"), a["region_code"], status,
        a.get("percent_complete") or 0, on_time, key in flagged.overdue, key in flagged.lagging,
        key in flagged.silent, reported, sum(row["met"] is not None for row in met),
        sum(row["met"] is True for row in met), (lights or {}).get(key))


def tally(facts: Iterable[Fact]) -> Tally:
    statuses = dict.fromkeys(STATUSES, 0)
    count = on_time = overdue = lagging = silent = due_or_completed = targets_reported = targets_met = 0
    percent_total = 0.0
    units: set[tuple[str, str]] = set()
    reported: set[tuple[str, str]] = set()
    lit = {"red": 0, "yellow": 0, "green": 0}
    for fact in facts:
        if fact.light in lit:
            lit[fact.light] += 1
        count += 1
        statuses[fact.status] = statuses.get(fact.status, 0) + 1
        on_time += fact.on_time
        overdue += fact.overdue
        lagging += fact.lagging
        silent += fact.silent
        due_or_completed += fact.overdue or fact.status == "completed"
        percent_total += fact.percent
        targets_reported += fact.targets_reported
        targets_met += fact.targets_met
        key = (fact.unit, fact.region_code)
        units.add(key)
        if fact.reported:
            reported.add(key)
    return Tally(count, statuses["completed"], on_time, statuses["in_progress"], statuses["not_started"],
                 statuses["blocked"], overdue, lagging, silent, due_or_completed, percent_total, len(units),
                 len(reported), targets_reported, targets_met, statuses["awaiting_verification"], lit["red"],
                 lit["yellow"], lit["green"])


def group(facts: Iterable[Fact], keys: Callable[[Fact], Iterable[str]]) -> dict[str, Tally]:
    """Figures per key, in key order; a fact counts under each of its keys (none: left out)."""
    groups: dict[str, list[Fact]] = {}
    for fact in facts:
        for key in keys(fact):
            groups.setdefault(key, []).append(fact)
    return {key: tally(members) for key, members in sorted(groups.items())}


@dataclass(frozen=True)
class RegionRollup:
    region_code: str
    total: Tally  # the region and everything below it
    own: Tally  # the region's own units
    children: dict[str, Tally]  # each child region, with everything below it


def region_rollup(leaves: Mapping[str, Tally], region_code: str, child_codes: Iterable[str] = ()) -> RegionRollup:
    """A region's figures: its own units' plus each child's. `child_codes` (from the registry) lists
    children to show even when they have no assignments; children with assignments are always shown."""
    own = Tally()
    children = dict.fromkeys(child_codes, Tally())
    for code, leaf in leaves.items():
        if code == region_code:
            own += leaf
        elif (child := child_of(region_code, code)) is not None:
            children[child] = children.get(child, Tally()) + leaf
    total = sum(children.values(), own)
    return RegionRollup(region_code, total, own, dict(sorted(children.items())))


def lead_units_by_measure(facts: Iterable[Fact], measures: Mapping[str, dict]) -> dict[str, list[tuple[str, str]]]:
    """(unit, name) of each measure's lead units: its lead assignments, or the names the plan gives when
    none resolved. Pass every assignment, not one region's: a county's assignments are often led from the city."""
    leads: dict[str, dict[str, str]] = {}
    for fact in facts:
        if fact.role == "lead":
            leads.setdefault(fact.measure_id, {})[fact.unit] = fact.unit_name
    result = {measure_id: sorted(units.items()) for measure_id, units in leads.items()}
    for measure_id, measure in measures.items():
        if measure_id not in result and measure.get("lead_units"):
            result[measure_id] = [(name, name) for name in measure["lead_units"]]
    return result
