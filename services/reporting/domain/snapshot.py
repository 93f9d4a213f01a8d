"""The reports themselves, built from one snapshot of reporting's read model (storage/read_model.py builds it).

A snapshot holds the assignments (assignments.py's view), the measures, the registry's regions, and the
alerts service's episodes as flags with the alerts open when it was read (flags.py). The
per-assignment evaluation for an (as-of date, cadence) is kept on the snapshot, with the figures per exact
region code, so a region's rollup at any level only adds up a few hundred leaves.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from services.reporting.domain.flags import FLAGGED_KINDS, Flag, first_judgement, flagged_on, judged
from services.reporting.domain.lights import LightChange, light_figures, lights_on, month_lights
from services.reporting.domain.periods import Cadence, Period, period_of
from services.reporting.domain.ranking import rank
from services.reporting.domain.regions import child_of
from services.reporting.domain.rollup import (
    Fact,
    Tally,
    evaluate,
    group,
    lead_units_by_measure,
    region_rollup,
    tally,
)
from shared.domain.regions import within


def facts_of(assignments: Iterable[dict], measures: dict[str, dict], as_of: date, period: Period,
             flags: Iterable[Flag], light_changes: Iterable[LightChange] = ()) -> list[Fact]:
    """The assignments' facts at `as_of`, with the alerts' judgements open at that day's end and their lights that
    day: the one call of rollup.evaluate, for a whole snapshot and for the few assignments an incremental refresh
    re-evaluates."""
    lights = {key: change.light for key, change in lights_on(light_changes, as_of).items()}
    return evaluate(assignments, measures, as_of, period, flagged_on(flags, as_of), lights)


SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}  # the alerts service's scale, worst first
KIND_ORDER = {"overdue": 0, "lagging": 1, "silent": 2, "due_soon": 3, "awaiting_verification": 4, "unsigned": 5}
EVALUATIONS_KEPT = 8  # (as-of, cadence) pairs kept per snapshot
ANSWERS_KEPT = 256  # breakdowns and rankings kept per snapshot (each is a pass over the region's assignments)


@dataclass(frozen=True)
class Evaluation:
    as_of: date
    period: Period
    facts_by_code: dict[str, list[Fact]]
    leaves: dict[str, Tally]
    leads: dict[str, list[tuple[str, str]]]

    def facts_within(self, region_code: str) -> list[Fact]:
        return [fact for code, facts in self.facts_by_code.items() if within(code, region_code) for fact in facts]


@dataclass
class Snapshot:
    assignments: list[dict]
    measures: dict[str, dict]
    regions: dict[str, dict]  # code -> {code, name, level, parent_code, ...} from the registry
    read_at: str = ""  # ISO time the state was read
    flags: list[Flag] = field(default_factory=list)  # the alerts' episodes of every kind, open or closed
    open_alerts: list[dict] = field(default_factory=list)  # every open alert: key, kind, severity, whom, since
    light_changes: list[LightChange] = field(default_factory=list)  # the alerts' lights, every change (lights.py)
    _evaluations: dict[tuple[date, str], Evaluation] = field(default_factory=dict, repr=False)
    _answers: dict[tuple, dict] = field(default_factory=dict, repr=False)

    def _kept(self, key: tuple, build) -> dict:
        """An answer computed once per snapshot (the snapshot never changes; a new one starts afresh)."""
        if key not in self._answers:
            if len(self._answers) >= ANSWERS_KEPT:
                self._answers.pop(next(iter(self._answers)))
            self._answers[key] = build()
        return self._answers[key]

    def evaluation(self, as_of: date, cadence: Cadence = "quarter") -> Evaluation:
        key = (as_of, cadence)
        if key not in self._evaluations:
            if len(self._evaluations) >= EVALUATIONS_KEPT:
                self._evaluations.pop(next(iter(self._evaluations)))
            period = period_of(as_of, cadence)
            facts = facts_of(self.assignments, self.measures, as_of, period, self.flags, self.light_changes)
            facts_by_code: dict[str, list[Fact]] = {}
            for fact in facts:
                facts_by_code.setdefault(fact.region_code, []).append(fact)
            self._evaluations[key] = Evaluation(
                as_of, period, facts_by_code, {code: tally(group) for code, group in facts_by_code.items()},
                lead_units_by_measure(facts, self.measures))
        return self._evaluations[key]

    def keep(self, evaluation: Evaluation, cadence: Cadence) -> None:
        """Answer (as_of, cadence) from an evaluation made elsewhere (the read model's incremental one)."""
        self._evaluations[evaluation.as_of, cadence] = evaluation

    @cached_property
    def children(self) -> dict[str, list[str]]:
        """Child region codes per region, as the registry lists them."""
        children: dict[str, list[str]] = {}
        for region in self.regions.values():
            if region.get("parent_code"):
                children.setdefault(region["parent_code"], []).append(region["code"])
        return children

    def region_label(self, code: str) -> dict:
        region = self.regions.get(code) or {}
        return {"region_code": code, "name": region.get("name"), "level": region.get("level") or _level(code)}

    def trail(self, code: str) -> list[dict]:
        """The region's ancestors, from the registry's root down, then the region itself, each as region_label
        gives it (a region the registry lacks: itself alone): what a breadcrumb names, whichever level is opened."""
        codes = [code]
        while (parent := (self.regions.get(codes[0]) or {}).get("parent_code")) and parent not in codes:
            codes.insert(0, parent)
        return [self.region_label(c) for c in codes]

    # --- the reports -----------------------------------------------------------------------------------
    def region_report(self, region_code: str, as_of: date, cadence: Cadence = "quarter",
                      today: date | None = None) -> dict:
        """The region's figures, its own units', and each child region's (which add up to the region's); given
        `today`, the flagged counts are None for a day the alerts service has not judged (flags.judged)."""
        return self.rollup_report(self.evaluation(as_of, cadence), region_code,
                                  today is None or judged(self.first_judgement, as_of, today))

    @cached_property
    def first_judgement(self) -> datetime | None:
        return first_judgement(self.flags)

    def rollup_report(self, evaluation: Evaluation, region_code: str, judged: bool = True) -> dict:
        """region_report over an evaluation's figures per region code (history.py keeps only those); when not
        `judged`, overdue, lagging and silent are None, the region's, its own units' and each child's."""
        rollup = region_rollup(evaluation.leaves, region_code, self.children.get(region_code, []))
        blank = {} if judged else dict.fromkeys(FLAGGED_KINDS)
        return {**self.region_label(region_code), "trail": self.trail(region_code), **self._context(evaluation),
                **rollup.total.as_dict(), **blank, "own_units": {**rollup.own.as_dict(), **blank},
                "children": [{**self.region_label(code), **figures.as_dict(), **blank}
                             for code, figures in rollup.children.items()]}

    def grouped_report(self, region_code: str, as_of: date, cadence: Cadence, by: str) -> dict:
        """Figures per unit, measure, chapter or lead unit, over the region's assignments and below."""
        return self._kept(("grouped", region_code, as_of, cadence, by),
                          lambda: self._grouped_report(region_code, as_of, cadence, by))

    def _grouped_report(self, region_code: str, as_of: date, cadence: Cadence, by: str) -> dict:
        evaluation = self.evaluation(as_of, cadence)
        facts = evaluation.facts_within(region_code)
        rows = getattr(self, f"_by_{by}")(facts, evaluation)
        return {**self.region_label(region_code), **self._context(evaluation), "rows": rows}

    def ranking(self, region_code: str, as_of: date, cadence: Cadence, of: str) -> dict:
        """Child regions ("regions") or units ("units", the region's and below) by composite score."""
        return self._kept(("ranking", region_code, as_of, cadence, of),
                          lambda: self._ranking(region_code, as_of, cadence, of))

    def _ranking(self, region_code: str, as_of: date, cadence: Cadence, of: str) -> dict:
        evaluation = self.evaluation(as_of, cadence)
        if of == "regions":
            entries = region_rollup(evaluation.leaves, region_code, self.children.get(region_code, [])).children
            labels = {code: self.region_label(code) for code in entries}
        else:
            facts = evaluation.facts_within(region_code)
            entries = group(facts, lambda fact: (fact.unit,))
            labels = _unit_labels(facts)
        return {**self.region_label(region_code), **self._context(evaluation), "of": of,
                "rows": [{**labels[r.key], **r.as_dict()} for r in rank(entries)]}

    def assignment_rows(self, region_code: str, as_of: date, cadence: Cadence, *, unit: str | None = None,
                        measure_id: str | None = None) -> dict:
        """The assignments in the region and below, one unit's or one measure's: the drill-down's last levels."""
        evaluation = self.evaluation(as_of, cadence)
        facts = [fact for fact in evaluation.facts_within(region_code)
                 if (unit is None or fact.unit == unit) and (measure_id is None or fact.measure_id == measure_id)]
        rows = []
        for fact in facts:
            measure = self.measures.get(fact.measure_id) or {}
            rows.append({"measure_id": fact.measure_id, "number": measure.get("number"), "title": measure.get("title"),
                         "unit": fact.unit, "unit_name": fact.unit_name, "role": fact.role,
                         "region_code": fact.region_code, "region_name": self.region_label(fact.region_code)["name"],
                         "status": fact.status, "light": fact.light, "percent_complete": fact.percent,
                         "overdue": fact.overdue,
                         "lagging": fact.lagging, "silent": fact.silent, "on_time": fact.on_time,
                         "reported_in_period": fact.reported})
        rows.sort(key=lambda r: (r["number"] is None, r["number"] or 0, r["region_code"], r["unit"]))
        return {**self.region_label(region_code), "trail": self.trail(region_code), **self._context(evaluation),
                "figures": tally(facts).as_dict(), "rows": rows}

    def light_history(self, region_code: str, year: int, today: date) -> dict:
        """The lights at each month end of `year` (lights.py: today's for the month in progress, none for a month
        not begun): the region's and each child region's (from the assignments beneath), each unit's in the region
        and below, and each assignment's. Per month, a region or unit gives its light and red/yellow/green counts;
        an assignment its light (None: unlit). Kept once computed, per snapshot."""
        return self._kept(("lights", region_code, year, today),
                          lambda: self._light_history(region_code, year, today))

    def _light_history(self, region_code: str, year: int, today: date) -> dict:
        months = [(month, [change for change in lit.values() if within(change.region_code, region_code)])
                  for month, lit in month_lights(self.light_changes, year, today)]
        children = self.children.get(region_code, [])
        by_child: list[dict[str, list[str]]] = []
        by_unit: list[dict[tuple[str, str], list[str]]] = []
        for _, lit in months:
            child_lights: dict[str, list[str]] = {}
            unit_lights: dict[tuple[str, str], list[str]] = {}
            for change in lit:
                if (child := child_of(region_code, change.region_code)) is not None:
                    child_lights.setdefault(child, []).append(change.light)
                unit_lights.setdefault((change.unit, change.region_code), []).append(change.light)
            by_child.append(child_lights)
            by_unit.append(unit_lights)
        # Every child the registry lists, and any other a light falls under (as the rollup shows them).
        children = sorted({*children, *(child for lights in by_child for child in lights)})
        names = {view["unit"]: view.get("unit_name") or view["unit"] for view in self.assignments}
        units = sorted({unit for unit_lights in by_unit for unit in unit_lights})
        assignments = sorted({change.key for _, lit in months for change in lit})
        lit_by_key = [{change.key: change.light for change in lit} for _, lit in months]
        return {
            **self.region_label(region_code), "trail": self.trail(region_code), "year": year,
            "months": [month for month, _ in months],
            "lights": [light_figures(change.light for change in lit) for _, lit in months],
            "children": [{**self.region_label(code), "lights": [light_figures(lights.get(code, ()))
                                                               for lights in by_child]} for code in children],
            "units": [{"unit": unit, "unit_name": names.get(unit, unit), "region_code": code,
                       "lights": [light_figures(lights.get((unit, code), ())) for lights in by_unit]}
                      for unit, code in units],
            "assignments": [{"measure_id": measure_id, "number": (self.measures.get(measure_id) or {}).get("number"),
                             "unit": unit, "unit_name": names.get(unit, unit),
                             "lights": [lights.get((measure_id, unit)) for lights in lit_by_key]}
                            for measure_id, unit in assignments],
        }

    @cached_property
    def alerts_worst_first(self) -> list[dict]:
        """The open alerts by severity, then kind, then the longest open."""
        return sorted(self.open_alerts, key=lambda a: (SEVERITY_ORDER.get(a["severity"], 9),
                                                       KIND_ORDER.get(a["kind"], 9), a["opened_at"], a["key"]))

    def alert_rows(self, region_code: str, *, kinds: Iterable[str] = (), limit: int = 100) -> dict:
        """The alerts open when the snapshot was read, for units in the region and below, the worst first, with
        their measure. `kinds` narrows them; `limit` bounds the rows, not the counts."""
        return self._kept(("alerts", region_code, tuple(sorted(kinds)), limit),
                          lambda: self._alert_rows(region_code, set(kinds), limit))

    def _alert_rows(self, region_code: str, wanted: set[str], limit: int) -> dict:
        found = [a for a in self.alerts_worst_first
                 if within(a["region_code"], region_code) and (not wanted or a["kind"] in wanted)]
        counts: dict[str, dict[str, int]] = {}
        for a in found:
            by_severity = counts.setdefault(a["kind"], {})
            by_severity[a["severity"]] = by_severity.get(a["severity"], 0) + 1
        rows = []
        for a in found[:limit]:
            measure = self.measures.get(a["measure_id"]) or {}
            rows.append({**a, "number": measure.get("number"), "title": measure.get("title"),
                         "region_name": self.region_label(a["region_code"])["name"]})
        return {**self.region_label(region_code), "read_at": self.read_at, "total": len(found), "counts": counts,
                "rows": rows}

    def _by_units(self, facts: list[Fact], evaluation: Evaluation) -> list[dict]:
        labels = _unit_labels(facts)
        return [{**labels[unit], **figures.as_dict()}
                for unit, figures in group(facts, lambda fact: (fact.unit,)).items()]

    def _by_measures(self, facts: list[Fact], evaluation: Evaluation) -> list[dict]:
        rows = []
        for measure_id, figures in group(facts, lambda fact: (fact.measure_id,)).items():
            measure = self.measures.get(measure_id) or {}
            rows.append({"measure_id": measure_id, "number": measure.get("number"), "title": measure.get("title"),
                         "chapter": measure.get("chapter"), **figures.as_dict()})
        return sorted(rows, key=lambda row: (row["number"] is None, row["number"] or 0, row["measure_id"]))

    def _by_chapters(self, facts: list[Fact], evaluation: Evaluation) -> list[dict]:
        """One row per chapter and section of the plan (fuzhou's 26 measures fall in one chapter,
        二、任务措施, and nine sections), in the plan's order: by the lowest measure number in each."""
        place = {measure_id: (measure.get("chapter") or "", measure.get("section") or "")
                 for measure_id, measure in self.measures.items()}
        keys = lambda fact: (place.get(fact.measure_id, ("", "")),)  # noqa: E731
        counts, first = _measure_counts(facts, keys), {}
        for fact in facts:
            number = (self.measures.get(fact.measure_id) or {}).get("number")
            key = keys(fact)[0]
            if isinstance(number, int) and number < first.get(key, float("inf")):
                first[key] = number
        rows = [{"chapter": chapter, "section": section or None, "measures": counts[chapter, section],
                 **figures.as_dict()} for (chapter, section), figures in group(facts, keys).items()]
        return sorted(rows, key=lambda row: first.get((row["chapter"], row["section"] or ""), float("inf")))

    def _by_lead_units(self, facts: list[Fact], evaluation: Evaluation) -> list[dict]:
        """A measure's assignments count under each of its lead units (so rows may overlap)."""
        leads = evaluation.leads
        names = {unit: name for units in leads.values() for unit, name in units}
        keys = lambda fact: [unit for unit, _ in leads.get(fact.measure_id, [])]  # noqa: E731
        counts = _measure_counts(facts, keys)
        return [{"unit": unit, "unit_name": names[unit], "measures": counts[unit], **figures.as_dict()}
                for unit, figures in group(facts, keys).items()]

    @staticmethod
    def _context(evaluation: Evaluation) -> dict:
        return {"as_of": evaluation.as_of.isoformat(), "period": evaluation.period.as_dict()}


def _measure_counts(facts: Iterable[Fact], keys) -> dict[str, int]:
    measures: dict[str, set[str]] = {}
    for fact in facts:
        for key in keys(fact):
            measures.setdefault(key, set()).add(fact.measure_id)
    return {key: len(ids) for key, ids in measures.items()}


def _unit_labels(facts: Iterable[Fact]) -> dict[str, dict]:
    return {fact.unit: {"unit": fact.unit, "unit_name": fact.unit_name, "region_code": fact.region_code}
            for fact in facts}


def _level(code: str) -> str:
    if len(code) == 9:
        return "township"
    return "city" if code.endswith("00") else "county"

