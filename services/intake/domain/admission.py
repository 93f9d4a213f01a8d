"""Whether intake admits a progress report, beyond its contract: the rules the progress routes and the ledger
route share (issue 10 §4), so a report intake accepts is one the tracker applies. Pure: the caller brings what
intake knows (usecases/progress_acceptance.py asks the catalogue).

- its time and period lie in the reporting window (shared/calendar.ReportWindow: from the measure's start, or
  the floor when intake does not know the measure, to now plus the clock skew);
- its measure exists, when intake knows every measure (storage/catalogue.py);
- its unit is a unit of the registry, in the report's region, when intake knows a registry (the latest on the
  registry-published topic, else the one this process published or the configured file): a typo, a name with
  an invisible character or another region's unit would otherwise become a phantom assignment;
- its unit is one the measure assigns (a lead or responsible unit, as the tracker resolves them: shared
  resolution.Directory.expand), when intake knows the measure and the registry resolves every unit name the
  measure gives; a report from a registry unit the measure does not name would otherwise be counted as a
  phantom assignment. When some name is unresolved the report is admitted: the tracker lists the name for
  mapping, and the unit may be what it maps to.
"""

from collections import OrderedDict
from datetime import timedelta

from shared.contracts import Measure, ProgressReport, Registry
from shared.domain.calendar import ReportWindow
from shared.domain.resolution import Directory

# What intake knows of a report's measure: the measure; False when it has read every measure and this one is not
# among them; None when it cannot tell yet (then the report is admitted and the tracker dead-letters it if the
# measure never comes).
MeasureKnowledge = Measure | bool | None


class Refused(Exception):
    """A report admission refuses; `errors` holds one {field, code, message} per reason."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(error["message"] for error in errors))
        self.errors = errors


class _Index:
    """A registry indexed for admission: its Directory, and what each measure assigns under it, worked out once per
    measure (a measure names up to 500 units: expanding it for every report of a batch cost ~15 ms a report)."""

    MEASURES = 1024  # measures whose assigned units are kept (least recently used dropped first)

    def __init__(self, registry: Registry):
        self.registry, self.directory = registry, Directory(registry)
        # id(measure) -> (measure, assigned unit ids in order, the same as a set). Keyed by the object: contract
        # models are frozen, and a measure-created again replaces the catalogue's object, so a changed measure is
        # expanded anew; holding the measure keeps its id from being reused while it is cached.
        self.assignments: OrderedDict[int, tuple[Measure, tuple[str, ...], frozenset[str]]] = OrderedDict()

    def assigned(self, measure: Measure) -> tuple[tuple[str, ...], frozenset[str]]:
        """The unit ids the measure assigns (lead first), in order and as a set; empty when intake cannot tell: a
        measure naming no unit, or a name the registry does not resolve (the tracker lists it for mapping)."""
        cached = self.assignments.get(id(measure))
        if cached is None or cached[0] is not measure:
            expansion = self.directory.expand(measure)
            units = () if expansion.unresolved else tuple(unit_id for unit_id, _ in expansion.units)
            cached = self.assignments[id(measure)] = (measure, units, frozenset(units))
            if len(self.assignments) > self.MEASURES:
                self.assignments.popitem(last=False)
        self.assignments.move_to_end(id(measure))
        return cached[1], cached[2]


_indexes: dict[int, _Index] = {}  # the last registry's, built once: a registry published anew gets a new one (and
# so every measure is expanded again under it)


def _index(registry: Registry) -> _Index:
    cached = _indexes.get(id(registry))
    if cached is None or cached.registry is not registry:
        _indexes.clear()
        cached = _indexes[id(registry)] = _Index(registry)
    return cached


def _directory(registry: Registry) -> Directory:
    return _index(registry).directory


def unit_in_region(registry: Registry, unit: str, region_code: str) -> bool:
    """Whether `unit` names exactly one registry unit of `region_code` or below: by id, name or alias."""
    return _directory(registry).reporting_unit(unit, region_code) is not None


def unit_known(report: ProgressReport, registry: Registry | None) -> bool:
    """True when no registry is known (the tracker lists the name for mapping), else whether it has the unit."""
    return registry is None or unit_in_region(registry, report.unit, report.region_code)


def refusals(report: ProgressReport, measure: MeasureKnowledge, registry: Registry | None,
             skew: timedelta) -> list[dict]:
    """Why intake refuses `report`, one entry per field ({field, message, code}); empty when admitted."""
    errors = []
    if measure is False:
        errors.append({"field": "measure_id", "code": "unknown-measure",
                       "message": f"no measure {report.measure_id!r} has been created"})
    window = ReportWindow(measure.start_date if isinstance(measure, Measure) else None, skew=skew)
    if reason := window.refusal(report.reported_at):
        errors.append({"field": "reported_at", "code": "outside-window", "message": reason})
    if reason := window.period_refusal(report.period):
        errors.append({"field": "period", "code": "outside-window", "message": reason})
    if not unit_known(report, registry):
        errors.append({"field": "unit", "code": "unknown-unit",
                       "message": f"the registry has no unit {report.unit!r} in region {report.region_code}; "
                                  "correct the name, or publish a registry that has it"})
    elif isinstance(measure, Measure) and registry is not None:
        assigned, members = _index(registry).assigned(measure)
        if assigned and _directory(registry).reporting_unit(report.unit, report.region_code) not in members:
            errors.append({"field": "unit", "code": "unit-not-assigned", "assigned_units": list(assigned),
                           "message": f"{report.unit!r} is not a unit of measure {report.measure_id!r}, which "
                                      f"assigns {', '.join(assigned)}"})
    return errors
