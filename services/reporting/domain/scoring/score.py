"""考核: a year's score per unit and per region from the facts reporting keeps, every point traced to events.

A unit starts from the book's `base_points`; each of its assignments adds lines under its plan's rules (rules.py,
services/reporting/scoring.yaml). A line names its rule, the plan and measure, the count, the points per count,
the points (negative: a deduction) and the ids of the events behind it. The year is China's calendar year.

- closed_out_on_time (+): the assignment was closed out (销号, `closed_out_at`) in the year and no overdue alert
  for it was open at that instant (flags.Flagged.late, the rule reporting's "completed on time" uses). Events:
  the assignment-updated event that first carried that closing out.
- overdue (−): each overdue alert episode for the assignment opened in the year, one per episode (a missed
  deadline occurrence) however many days it lasts. Events: the episodes' alert-raised ids (`<episode>.raised`).
- returned_completion (−): each completion returned in the year: the rises of `returned_count` between the
  assignment-updated events received, dated by the event's time. Events: those events.
- late_report / missing_report (−): each period of the year (the plan's `reporting_cadence`) from the measure's
  start (its start_date, else its publication) up to its closing out, whose report was due (its end plus
  `report_grace_days`) before the day of scoring: late when its first counted report came after that day
  (events: that report), missing when none came (events: the assignment-updated event whose periods_reported
  lacks it).
- unmet_rate_target (−): per (report, target) with a rate or time-limit target of the measure not met
  (shared/domain/targets.py), over the last report on each period sent in the year. Events: those reports.
- indicator:<name> (−): a plan's `indicator_deductions`: points per unit of the indicator's value, summed over
  the last report on each period sent in the year (e.g. 未出庭应诉 cases per quarter). Events: those reports.

Scores depend on nothing but the facts, the rules and the day of scoring: the same events under the same rules
give the same scores, whichever rules were applied before. A region's score is the mean of the totals of the
units within it (its own units and its descendant regions'); no units: None. Rankings are by total, highest
first, competition ranks (1, 2, 2, 4) on totals rounded to two decimals, ties listed by key.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from services.reporting.domain.flags import Flag, Flagged
from services.reporting.domain.periods import MONTHS_PER_PERIOD, Cadence, Period, period_of
from services.reporting.domain.regions import child_of
from services.reporting.domain.scoring.rules import ScoringBook, ScoringRules
from shared.domain.calendar import local_date
from shared.domain.regions import within
from shared.domain.targets import attainment

RULE_NAMES = {"closed_out_on_time": "按期销号", "overdue": "逾期", "returned_completion": "办结申请被退回",
              "late_report": "进展逾期报送", "missing_report": "进展未报送", "unmet_rate_target": "比率指标未达标"}
JUDGED_AT_EVERY_REPORT = ("rate", "time_limit")


@dataclass(frozen=True)
class Facts:
    """What scoring reads of reporting's collections (storage/scoring.py), as stored:
    - measures: measure_id → the measure (plan_id, targets, start_date, published_at);
    - assignments: the current states (measure_id, unit, unit_name, region_code, closed_out_at, periods_reported,
      event_id), removed ones left out;
    - steps: the loop steps (event_id, key, revision, returned_count, closed_out_at, time);
    - overdue: overdue alert episodes (episode, measure_id, unit, opened_at, closed_at: None while open);
    - reports: counted report revisions (`_id` the progress-reported event id, measure_id, unit, period,
      reported_at, indicator_values) sent from the year's start on;
    - regions: the registry's regions by code (name)."""
    measures: Mapping[str, Mapping] = field(default_factory=dict)
    assignments: Sequence[Mapping] = ()
    steps: Sequence[Mapping] = ()
    overdue: Sequence[Mapping] = ()
    reports: Sequence[Mapping] = ()
    regions: Mapping[str, Mapping] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    rule: str
    plan_id: str | None
    measure_id: str
    count: float
    per: float
    sign: int
    events: tuple[str, ...]

    def as_dict(self) -> dict:
        name = RULE_NAMES.get(self.rule) or self.rule.removeprefix("indicator:")
        return {"rule": self.rule, "rule_name": name, "plan_id": self.plan_id, "measure_id": self.measure_id,
                "count": self.count, "per": self.per, "points": round(self.sign * self.count * self.per, 2),
                "events": list(self.events)}


def _key(item: Mapping) -> str:
    """The assignment key (`measure_id|unit`) of a state, an episode or a report."""
    return f"{item['measure_id']}|{item['unit']}"


def _grouped(items: Iterable[Mapping], key) -> dict[str, list[Mapping]]:
    groups: dict[str, list[Mapping]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _in_year(value, year: int) -> bool:
    day = local_date(value)
    return day is not None and day.year == year


def score_year(facts: Facts, book: ScoringBook, year: int, today: date) -> dict[str, dict]:
    """unit → {unit, unit_name, region_code, base, total, lines}: the year's score of every unit with an
    assignment, its lines in the order of its measures and the rules above."""
    steps = _grouped(facts.steps, lambda step: step["key"])
    overdue, reports = _grouped(facts.overdue, _key), _grouped(facts.reports, _key)
    units: dict[str, dict] = {}
    for assignment in sorted(facts.assignments, key=lambda a: (a["unit"], a["measure_id"])):
        key = _key(assignment)
        measure = facts.measures.get(assignment["measure_id"]) or {}
        plan_id = measure.get("plan_id")
        facts_of = _Assignment(assignment, measure, plan_id, book.for_plan(plan_id), year, today)
        unit = units.setdefault(assignment["unit"], {
            "unit": assignment["unit"], "unit_name": assignment.get("unit_name") or assignment["unit"],
            "region_code": assignment["region_code"], "base": book.base_points, "lines": []})
        unit["lines"] += [line for line in (
            facts_of.closed_out_on_time(steps.get(key, ()), overdue.get(key, ())),
            facts_of.overdue(overdue.get(key, ())),
            facts_of.returned(steps.get(key, ())),
            *facts_of.periodic_reports(reports.get(key, ())),
            *facts_of.reported_figures(reports.get(key, ())),
        ) if line is not None and line.count]
    for unit in units.values():
        unit["lines"] = [line.as_dict() for line in unit["lines"]]
        unit["total"] = round(unit["base"] + sum(line["points"] for line in unit["lines"]), 2)
    return units


@dataclass(frozen=True)
class _Assignment:
    state: Mapping
    measure: Mapping
    plan_id: str | None
    rules: ScoringRules
    year: int
    today: date

    def line(self, rule: str, count: float, per: float, sign: int, events: Iterable[str]) -> Line:
        return Line(rule, self.plan_id, self.state["measure_id"], count, per, sign, tuple(dict.fromkeys(events)))

    def closed_out_on_time(self, steps: Sequence[Mapping], overdue: Sequence[Mapping]) -> Line | None:
        closed = self.state.get("closed_out_at")
        if not _in_year(closed, self.year):
            return None
        key = (self.state["measure_id"], self.state["unit"])
        episodes = tuple(Flag("overdue", *key, e["opened_at"], e.get("closed_at")) for e in overdue)
        if Flagged(overdue_episodes={key: episodes}).late(key, closed):
            return None
        closing = [s for s in sorted(steps, key=lambda s: s["revision"]) if s.get("closed_out_at") == closed]
        event = closing[0]["event_id"] if closing else self.state.get("event_id")
        return self.line("closed_out_on_time", 1, self.rules.closed_out_on_time, 1, [event] if event else [])

    def overdue(self, episodes: Sequence[Mapping]) -> Line:
        opened = [e for e in episodes if _in_year(e["opened_at"], self.year)]
        return self.line("overdue", len(opened), self.rules.overdue, -1, [f"{e['episode']}.raised" for e in opened])

    def returned(self, steps: Sequence[Mapping]) -> Line:
        count, events, before = 0, [], 0
        for step in sorted(steps, key=lambda s: s["revision"]):
            rise = step.get("returned_count", 0) - before
            before = max(before, step.get("returned_count", 0))
            if rise > 0 and _in_year(step["time"], self.year):
                count, events = count + rise, [*events, step["event_id"]]
        return self.line("returned_completion", count, self.rules.returned_completion, -1, events)

    def periods_due(self) -> list[tuple[Period, date]]:
        """The year's periods the unit had to report on by now, each with the last day its report was on time."""
        cadence = self.rules.reporting_cadence
        start = local_date(self.measure.get("start_date")) or local_date(self.measure.get("published_at"))
        until = local_date(self.state.get("closed_out_at"))
        due = [(period, period.end + timedelta(days=self.rules.report_grace_days))
               for period in _periods(self.year, cadence)]
        return [(period, by) for period, by in due if by < self.today and (start is None or period.end >= start)
                and (until is None or period.start <= until)]

    def periodic_reports(self, reports: Sequence[Mapping]) -> tuple[Line, Line]:
        late, missing = [], []
        ordered = sorted(reports, key=lambda r: r["reported_at"])
        for period, by in self.periods_due():
            on = [report for report in ordered if period.reported_on([report.get("period")])]
            if on and local_date(on[0]["reported_at"]) > by:
                late.append(on[0]["_id"])
            elif not on and not period.reported_on(self.state.get("periods_reported") or ()):
                missing.append(self.state.get("event_id") or "")
        return (self.line("late_report", len(late), self.rules.late_report, -1, late),
                self.line("missing_report", len(missing), self.rules.missing_report, -1, filter(None, missing)))

    def reported_figures(self, reports: Sequence[Mapping]) -> list[Line]:
        """Unmet rate targets and the plan's indicator deductions, over the last report on each period sent in the
        year."""
        last: dict[str | None, Mapping] = {}
        for report in sorted(reports, key=lambda r: r["reported_at"]):
            if _in_year(report["reported_at"], self.year):
                last[report.get("period")] = report
        unmet = [report["_id"] for report in last.values()
                 for row in attainment(self.measure.get("targets") or [], report.get("indicator_values") or {})
                 if row["kind"] in JUDGED_AT_EVERY_REPORT and row["met"] is False]
        lines = [self.line("unmet_rate_target", len(unmet), self.rules.unmet_rate_target, -1, unmet)]
        for indicator, per in sorted(self.rules.indicator_deductions.items()):
            counted = [(report["_id"], value) for report in last.values()
                       if (value := (report.get("indicator_values") or {}).get(indicator)) and value > 0]
            lines.append(self.line(f"indicator:{indicator}", sum(value for _, value in counted), per, -1,
                                   [event for event, _ in counted]))
        return lines


@lru_cache(maxsize=64)
def _periods(year: int, cadence: Cadence) -> tuple[Period, ...]:
    """The year's periods of a cadence (the same for every assignment scored)."""
    return tuple(period_of(date(year, month, 1), cadence) for month in range(1, 13, MONTHS_PER_PERIOD[cadence]))


def _ranked(rows: list[dict], key: str) -> list[dict]:
    """Highest total first (None last, unranked); competition ranks on the rounded totals; ties by `key`."""
    rows = sorted(rows, key=lambda row: (row["total"] is None, -(row["total"] or 0), row[key]))
    for position, row in enumerate(rows, start=1):
        tied = position > 1 and rows[position - 2]["total"] == row["total"]
        row["rank"] = None if row["total"] is None else rows[position - 2]["rank"] if tied else position
    return rows


def _mean(totals: list[float]) -> float | None:
    return round(sum(totals) / len(totals), 2) if totals else None


def ranking(scores: Mapping[str, dict], region_code: str, regions: Mapping[str, Mapping]) -> dict:
    """The region's score, its child regions ranked by theirs and its units (descendants included) ranked by
    their totals, each unit with the points it gained and lost."""
    units = [unit for unit in scores.values() if within(unit["region_code"], region_code)]
    children: dict[str, list[float]] = {}
    for unit in units:
        if (child := child_of(region_code, unit["region_code"])) is not None:
            children.setdefault(child, []).append(unit["total"])
    rows = [{"unit": u["unit"], "unit_name": u["unit_name"], "region_code": u["region_code"],
             "region_name": (regions.get(u["region_code"]) or {}).get("name"), "total": u["total"],
             "gained": round(sum(line["points"] for line in u["lines"] if line["points"] > 0), 2),
             "lost": round(sum(line["points"] for line in u["lines"] if line["points"] < 0), 2)} for u in units]
    child_rows = [{"region_code": code, "name": (regions.get(code) or {}).get("name"), "units": len(totals),
                   "total": _mean(totals)} for code, totals in children.items()]
    return {"region_code": region_code, "name": (regions.get(region_code) or {}).get("name"),
            "units": len(units), "total": _mean([unit["total"] for unit in units]),
            "regions": _ranked(child_rows, "region_code"), "unit_ranking": _ranked(rows, "unit")}
