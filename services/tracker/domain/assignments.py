"""Which (measure, unit) assignments a measure creates."""

from dataclasses import dataclass

from shared.contracts import Measure
from shared.contracts.measures import Role


@dataclass(frozen=True)
class Assignment:
    measure_id: str
    unit: str
    role: Role
    region_code: str

    @property
    def key(self) -> str:
        return f"{self.measure_id}|{self.unit}"


def assignments_for(measure: Measure) -> list[Assignment]:
    """One assignment per unit; a unit named both lead and responsible is a lead unit (it answers for it)."""
    roles: dict[str, Role] = {}
    for unit in measure.lead_units:
        roles.setdefault(unit, "lead")
    for unit in measure.responsible_units:
        roles.setdefault(unit, "responsible")
    return [Assignment(measure.measure_id, unit, role, measure.region_code) for unit, role in roles.items()]
