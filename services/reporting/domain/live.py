"""Today's figures kept up to date assignment by assignment, so a refresh costs what changed.

LiveFigures holds, for one (as-of day, cadence), each assignment's fact (rollup.py) and, per exact region code,
the leaf tally of the facts there, as counters that take a fact away as exactly as they add it:
- every count and sum of rollup.Tally is a sum over facts (a float sum kept in integer nanounits, so adding and
  taking away leave no rounding behind: an incremental refresh gives the figures a full evaluation gives);
- `units` and `units_reported` are distinct (unit, region) pairs: kept as reference counts per pair, a pair
  counted while at least one fact names it.
Each fact carries the assignment's light (the alerts' light changes, `lights_of`), counted like the rest.
`update(keys)` takes each named assignment's old fact away, evaluates its new one (or none: forgotten) and adds
it; only the region codes and measures it touched are rebuilt for the next Evaluation (copy on write: an
Evaluation handed out earlier never changes), each code's facts in key order. A new day or period needs a new
LiveFigures (a full evaluation): deadlines and the alerts' judgements are evaluated at the day.
"""

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date

from services.reporting.domain.assignments import key_of
from services.reporting.domain.flags import Flag
from services.reporting.domain.lights import LightChange
from services.reporting.domain.periods import Cadence, period_of
from services.reporting.domain.rollup import Fact, Tally, lead_units_by_measure, tally
from services.reporting.domain.snapshot import Evaluation, facts_of

DISTINCT = ("units", "units_reported")  # counted as distinct (unit, region) pairs, not summed
NANO = 10**9
TALLY_FIELDS = [f for f in fields(Tally) if f.name not in DISTINCT]
# The flags of one assignment, and its light changes, by (measure_id, unit).
FlagsOf = Callable[[str, str], Iterable[Flag]]
LightsOf = Callable[[str, str], Iterable[LightChange]]


def unlit(measure_id: str, unit: str) -> list[LightChange]:
    return []


@dataclass
class Leaf:
    """One region code's tally, as counters."""
    sums: Counter = field(default_factory=Counter)
    units: Counter = field(default_factory=Counter)
    reported: Counter = field(default_factory=Counter)

    def add(self, fact: Fact, sign: int) -> None:
        contribution, pair = tally([fact]), (fact.unit, fact.region_code)
        for f in TALLY_FIELDS:
            value = getattr(contribution, f.name)
            self.sums[f.name] += sign * (round(value * NANO) if f.type in (float, "float") else value)
        _count(self.units, pair, sign)
        if contribution.units_reported:
            _count(self.reported, pair, sign)

    def tally(self) -> Tally:
        values = {f.name: self.sums[f.name] / NANO if f.type in (float, "float") else self.sums[f.name]
                  for f in TALLY_FIELDS}
        return Tally(**values, units=len(self.units), units_reported=len(self.reported))


def _count(counter: Counter, pair: tuple[str, str], sign: int) -> None:
    counter[pair] += sign
    if counter[pair] <= 0:
        del counter[pair]


class LiveFigures:
    def __init__(self, as_of: date, cadence: Cadence, views: Mapping[str, dict], measures: Mapping[str, dict],
                 flags_of: FlagsOf, lights_of: LightsOf = unlit):
        self.lights_of = lights_of
        self.as_of, self.cadence, self.period = as_of, cadence, period_of(as_of, cadence)
        self.facts: dict[str, Fact] = {}
        self.by_code: dict[str, dict[str, Fact]] = {}
        self.order: dict[str, list[str]] = {}  # per code, its assignment keys sorted
        self.by_measure: dict[str, dict[str, Fact]] = {}
        self.leaves: dict[str, Leaf] = {}
        self.evaluation = Evaluation(as_of, self.period, {}, {}, {})
        self.update(views.keys(), views, measures, flags_of, measures_changed=measures.keys())

    def update(self, keys: Iterable[str], views: Mapping[str, dict], measures: Mapping[str, dict],
               flags_of: FlagsOf, measures_changed: Iterable[str] = ()) -> Evaluation:
        """Re-evaluate the assignments under `keys` (their view in `views`, or gone when absent) and every
        assignment of `measures_changed`; returns the Evaluation for the changed state."""
        keys = set(keys)
        for measure_id in measures_changed:
            keys.update(self.by_measure.get(measure_id, {}))
        # Codes whose leaf changes; measures whose lead units may change (a lead assignment came or went).
        codes, led = set(), set(measures_changed)
        for key in keys:
            if (old := self.facts.pop(key, None)) is not None:
                self._place(key, old, -1)
                codes.add(old.region_code)
                if old.role == "lead":
                    led.add(old.measure_id)
        present = [views[key] for key in keys if key in views]
        wanted = {view["measure_id"] for view in present}
        flags = [flag for view in present for flag in flags_of(view["measure_id"], view["unit"])]
        lights = [change for view in present for change in self.lights_of(view["measure_id"], view["unit"])]
        for new in facts_of(present, {m: measures[m] for m in wanted if m in measures}, self.as_of, self.period,
                            flags, lights):
            key = key_of(new.measure_id, new.unit)
            self.facts[key] = new
            self._place(key, new, +1)
            codes.add(new.region_code)
            if new.role == "lead":
                led.add(new.measure_id)
        self.evaluation = self._evaluation(codes, led, measures)
        return self.evaluation

    def _place(self, key: str, fact: Fact, sign: int) -> None:
        order = self.order.setdefault(fact.region_code, [])
        if sign > 0:
            insort(order, key)
        else:
            del order[bisect_left(order, key)]
        for index, name in ((self.by_code, fact.region_code), (self.by_measure, fact.measure_id)):
            if sign > 0:
                index.setdefault(name, {})[key] = fact
            else:
                index[name].pop(key, None)
        self.leaves.setdefault(fact.region_code, Leaf()).add(fact, sign)

    def _evaluation(self, codes: set[str], measure_ids: set[str], measures: Mapping[str, dict]) -> Evaluation:
        previous = self.evaluation
        facts_by_code, leaves, leads = dict(previous.facts_by_code), dict(previous.leaves), dict(previous.leads)
        for code in codes:
            if facts := self.by_code.get(code):
                facts_by_code[code] = list(map(facts.__getitem__, self.order[code]))
                leaves[code] = self.leaves[code].tally()
            else:
                facts_by_code.pop(code, None), leaves.pop(code, None)
                self.by_code.pop(code, None), self.leaves.pop(code, None), self.order.pop(code, None)
        for measure_id in measure_ids:
            leads.pop(measure_id, None)
            leads.update(lead_units_by_measure(self.by_measure.get(measure_id, {}).values(),
                                               {measure_id: measures[measure_id]} if measure_id in measures else {}))
        # In key order, codes and the facts within each: the float sums over them (rollup.tally) then come out the
        # same whatever order the changes came in.
        return Evaluation(self.as_of, self.period, dict(sorted(facts_by_code.items())), leaves, leads)
