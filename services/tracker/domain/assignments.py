"""Which (measure, unit) assignments a measure creates, once its unit names are resolved.

Names the registry resolves (市司法局, 各县(区)政府 → each county government) become assignments of
registry units, in the unit's own region. A name it cannot resolve stays an assignment under the name as
written, flagged unresolved, so nothing a plan asked for is dropped; an operator maps it later.
"""

from dataclasses import dataclass

from shared.contracts import Measure, Registry
from shared.contracts.measures import Role
from shared.domain.regions import within
from shared.domain.resolution import Directory, expand, normalize


@dataclass(frozen=True)
class Assignment:
    measure_id: str
    unit: str  # the registry's unit id, or the name as written when unresolved
    unit_name: str
    role: Role
    region_code: str
    resolved: bool

    @property
    def key(self) -> str:
        return f"{self.measure_id}|{self.unit}"


class UnitLookup:
    """The registry (if one was published) and the operators' mappings of names it cannot resolve."""

    def __init__(self, registry: Registry | None = None, mappings: dict[str, list[str]] | None = None,
                 stamp: str = ""):
        """`stamp`: what the registry and mappings were read as (storage's lookup_stamp), so a writer can tell
        whether they changed while it worked."""
        self.stamp = stamp
        self.directory = Directory(registry) if registry else None
        self.units = {unit.unit_id: (unit.name, region.code)
                      for region in (registry.regions if registry else []) for unit in region.units}
        self.mappings = {normalize(name): unit_ids for name, unit_ids in (mappings or {}).items()}

    def resolve(self, name: str, region_code: str) -> list[str]:
        mapped = self.mappings.get(normalize(name))
        if mapped:
            return [unit_id for unit_id in mapped if unit_id in self.units]
        return self.directory.resolve(name, region_code) if self.directory else []

    def reporting_unit(self, unit: str, region_code: str) -> str:
        """A report's unit as the registry's id when it names exactly one unit (id, name or alias)."""
        if unit in self.units:
            return unit
        unit_ids = self.resolve(unit, region_code)
        return unit_ids[0] if len(unit_ids) == 1 else unit

    def counts(self, unit: str, region_code: str) -> bool:
        """Whether a report of `unit` (as reporting_unit put it) from `region_code` counts in the figures: always
        without a registry; with one, only a registry unit of that region or below (a typo, an invisible
        character or another region's unit would be a phantom assignment). A mapped name counts once mapped."""
        if self.directory is None:
            return True
        return unit in self.units and (self.directory.reporting_unit(unit, region_code) == unit or any(
            unit in unit_ids for unit_ids in self.mappings.values()))

    def unit_refusal(self, unit: str, acting_for: str | None = None) -> str | None:
        """Why `unit` (a registry id, name or alias, or a name mapped to registry units) may not be named as who
        acts, in Chinese: the registry does not know it (a typo would be shown as who checked), or, `acting_for`
        given (the caller's region code), none of the units it means lies in that region or below (a county's
        planner cannot name another county's office, nor the city's). None when it may; always None without a
        registry, which is then all there is to know units by."""
        if self.directory is None:
            return None
        ids = ([unit] if unit in self.units else self.mappings.get(normalize(unit))
               or [unit_id for _, unit_id in self.directory.by_name.get(normalize(unit), [])])
        regions = {self.units[unit_id][1] for unit_id in ids if unit_id in self.units}
        if not regions:
            return f"单位 {unit!r} 不在单位名录中：请填写名录中的单位名称或编号"
        if acting_for is not None and not any(within(region, acting_for) for region in regions):
            return f"单位 {unit!r} 属于区划 {'、'.join(sorted(regions))}，不在区划 {acting_for} 及其下级"
        return None

    def name_and_region(self, unit: str, fallback_region: str) -> tuple[str, str]:
        return self.units.get(unit, (unit, fallback_region))


def assignments_for(measure: Measure, lookup: UnitLookup | None = None) -> tuple[list[Assignment], list[str]]:
    """One assignment per unit (a unit named both lead and responsible is a lead unit), and the names left
    unresolved, which stay assignments under the name as written."""
    lookup = lookup or UnitLookup()
    expansion = expand(measure, lambda name, region_code: lookup.resolve(name, region_code) or [name])
    assignments = []
    for unit, role in expansion.units:
        name, region_code = lookup.name_and_region(unit, measure.region_code)
        assignments.append(Assignment(measure.measure_id, unit, name, role, region_code, unit in lookup.units))
    return assignments, [a.unit for a in assignments if not a.resolved]
