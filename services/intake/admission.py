"""Whether intake admits a progress report, beyond its contract: the checks the progress route and the ledger
route both make (issue 10 §4), so a report intake accepts is one the tracker applies.

- its time and period lie in the reporting window (shared/calendar.ReportWindow: from the measure's start, or
  the floor when intake does not know the measure, to now plus the clock skew);
- its measure exists, when intake knows every measure (services/intake/catalogue.py);
- its unit is a unit of the registry, in the report's region, when intake knows a registry (the latest on the
  registry-published topic, else the one this process published or the configured file): a typo, a name with
  an invisible character or another region's unit would otherwise become a phantom assignment;
- its unit is one the measure assigns (a lead or responsible unit, as the tracker resolves them: shared
  resolution.Directory.expand), when intake knows the measure and the registry resolves every unit name the
  measure gives; a report from a registry unit the measure does not name would otherwise be counted as a
  phantom assignment. When some name is unresolved the report is admitted: the tracker lists the name for
  mapping, and the unit may be what it maps to.
"""

from datetime import timedelta

from services.intake.catalogue import Catalogue, KnownMeasure
from shared.calendar import ReportWindow
from shared.contracts import ProgressReport, Registry
from shared.problems import Problem
from shared.resolution import Directory

_directories: dict[int, tuple[Registry, Directory]] = {}  # the last registry's index, built once


def _directory(registry: Registry) -> Directory:
    cached = _directories.get(id(registry))
    if cached is None or cached[0] is not registry:
        _directories.clear()
        cached = _directories[id(registry)] = (registry, Directory(registry))
    return cached[1]


def unit_in_region(registry: Registry, unit: str, region_code: str) -> bool:
    """Whether `unit` names exactly one registry unit of `region_code` or below: by id, name or alias."""
    return _directory(registry).reporting_unit(unit, region_code) is not None


async def refusals(report: ProgressReport, catalogue: Catalogue, fallback_registry: Registry | None,
                   skew: timedelta) -> list[dict]:
    """Why intake refuses `report`, one entry per field ({field, message, code}); empty when admitted."""
    errors = []
    known = await catalogue.measure(report.measure_id)
    if known is False:
        errors.append({"field": "measure_id", "code": "unknown-measure",
                       "message": f"no measure {report.measure_id!r} has been created"})
    window = ReportWindow(known.start_date if isinstance(known, KnownMeasure) else None, skew=skew)
    if reason := window.refusal(report.reported_at):
        errors.append({"field": "reported_at", "code": "outside-window", "message": reason})
    if reason := window.period_refusal(report.period):
        errors.append({"field": "period", "code": "outside-window", "message": reason})
    if not unit_known(report, catalogue, fallback_registry) and (
            not await catalogue.caught_up() or not unit_known(report, catalogue, fallback_registry)):
        errors.append({"field": "unit", "code": "unknown-unit",
                       "message": f"the registry has no unit {report.unit!r} in region {report.region_code}; "
                                  "correct the name, or publish a registry that has it"})
    elif isinstance(known, KnownMeasure) and (assigned := assigned_units(known, catalogue.registry or
                                                                            fallback_registry)):
        unit_id = _directory(catalogue.registry or fallback_registry).reporting_unit(report.unit, report.region_code)
        if unit_id not in assigned:
            errors.append({"field": "unit", "code": "unit-not-assigned", "assigned_units": assigned,
                           "message": f"{report.unit!r} is not a unit of measure {report.measure_id!r}, which "
                                      f"assigns {', '.join(assigned)}"})
    return errors


def assigned_units(known: KnownMeasure, registry: Registry | None) -> list[str]:
    """The unit ids the measure assigns (lead first); empty when intake cannot tell: no registry, a measure
    naming no unit, or a name the registry does not resolve (the tracker lists it for mapping)."""
    if registry is None:
        return []
    expansion = _directory(registry).expand(known.measure)
    return [] if expansion.unresolved else [unit_id for unit_id, _ in expansion.units]


def unit_known(report: ProgressReport, catalogue: Catalogue, fallback: Registry | None) -> bool:
    """True when no registry is known (the tracker lists the name for mapping), else whether it has the unit."""
    registry = catalogue.registry or fallback
    return registry is None or unit_in_region(registry, report.unit, report.region_code)


def refused(errors: list[dict]) -> Problem:
    """The 422 answering a refused report: typed after its one reason (unknown-unit, …), naming every field."""
    codes = {error["code"] for error in errors}
    fields = ", ".join(error["field"] for error in errors)
    return Problem(422, "Report refused", f"The report cannot be admitted: {fields}. "
                   + " ".join(error["message"] for error in errors),
                   slug=codes.pop() if len(codes) == 1 else "report-refused", errors=errors)
