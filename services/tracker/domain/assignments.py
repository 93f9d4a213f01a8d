"""Which (measure, unit) assignments a measure creates, once its unit names are resolved.

Names the registry resolves (市司法局, 各县(区)政府 → each county government) become assignments of
registry units, in the unit's own region. A name it cannot resolve stays an assignment under the name as
written, flagged unresolved, so nothing a plan asked for is dropped; an operator maps it later.
"""

from dataclasses import dataclass

from shared.contracts import Measure, Registry
from shared.contracts.measures import Role
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
