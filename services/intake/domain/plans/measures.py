"""A parsed plan as measure-created contracts, with event ids that make re-importing idempotent, and the unit
names of its measures a registry does not resolve."""

import datetime as dt
import hashlib
import uuid
from collections import Counter

from services.intake.domain.plans.parser import Measure as ParsedMeasure
from services.intake.domain.plans.parser import ParsedPlan
from shared.contracts import Deadline, Measure, Registry, Target
from shared.domain.resolution import Directory

# Fixed for ever: event ids derive from it, so the same measure imported twice has the same id.
MEASURE_EVENTS = uuid.UUID("5b0f1a52-3c1e-4d36-9a57-2f0d6f6c1e21")
TITLE_LIMIT = 256  # the contract's limit; a longer heading keeps its whole wording in `text`


class DuplicateMeasureIds(ValueError):
    """Two measures of one plan would be published under one id, so one would silently replace the
    other: the import is refused before anything is published. ``duplicates`` maps each such id to
    the measures' numbers as written with their titles."""

    def __init__(self, duplicates: dict[str, list[str]]):
        self.duplicates = duplicates
        listed = "; ".join(f"{measure_id}: {', '.join(found)}" for measure_id, found in duplicates.items())
        super().__init__(f"two or more measures would share one id ({listed}); "
                         "check the plan's numbering at those places")


def measure_ids(plan: ParsedPlan, plan_id: str) -> list[str]:
    """``<plan_id>-<number>`` while numbers are unique in the plan (the ids measures always had), else
    the outline path for every measure: ``<plan_id>-2-1-1-1`` for the (1) under 1. under (一) under 二、
    of a plan whose numbering restarts under each heading. Both are stable for the same plan text."""
    repeated = any(count > 1 for count in Counter(m.number for m in plan.measures).values())
    return [f"{plan_id}-{'-'.join(map(str, m.path or (m.number,)))}" if repeated else f"{plan_id}-{m.number}"
            for m in plan.measures]


def plan_measures(plan: ParsedPlan, plan_id: str, region_code: str, start_date: dt.date | None = None) -> list[Measure]:
    """Raises pydantic's ValidationError when a parsed measure does not fit the contract, and
    DuplicateMeasureIds when two measures would get one id (see ``measure_ids``)."""
    start = start_date or (dt.date(plan.start_year, 1, 1) if plan.start_year else None)
    ids = measure_ids(plan, plan_id)
    duplicates = {measure_id: [f"{m.number_text}{m.title}" for i, m in zip(ids, plan.measures, strict=True)
                               if i == measure_id]
                  for measure_id, count in Counter(ids).items() if count > 1}
    if duplicates:
        raise DuplicateMeasureIds(duplicates)
    return [_measure(parsed, plan_id, region_code, start, measure_id)
            for parsed, measure_id in zip(plan.measures, ids, strict=True)]


def _measure(parsed: ParsedMeasure, plan_id: str, region_code: str, start: dt.date | None, measure_id: str) -> Measure:
    title, text = parsed.title, parsed.text
    if len(title) > TITLE_LIMIT:
        title, text = title[:TITLE_LIMIT - 1] + "…", f"{title}。{text}"
    return Measure(
        measure_id=measure_id, plan_id=plan_id, region_code=region_code, number=parsed.number,
        title=title, text=text, chapter=parsed.chapter, section=parsed.section,
        lead_units=parsed.lead_units, responsible_units=parsed.responsible_units, start_date=start,
        deadlines=[Deadline(**d.to_json()) for d in parsed.deadlines],
        targets=[Target(**t.to_json()) for t in parsed.targets],
    )


def measure_event_id(measure: Measure) -> str:
    """The same measure with the same content always gets the same id; a changed measure a new one."""
    content = hashlib.sha256(measure.model_dump_json().encode()).hexdigest()
    return str(uuid.uuid5(MEASURE_EVENTS, f"{measure.plan_id}|{measure.number}|{content}"))


class UnknownRegion(ValueError):
    """The plan's region is not in the registry its unit names are resolved against."""


def unresolved_names(measures: list[Measure], registry: Registry, region_code: str) -> dict[str, list[str]]:
    """Each unit name of the measures the registry does not resolve (shared/resolution.Directory.expand, as the
    tracker resolves them), with the ids of the measures naming it, in the plan's order. Raises UnknownRegion."""
    directory = Directory(registry)
    if region_code not in directory.regions:
        raise UnknownRegion(f"region_code: {region_code} is not in the registry")
    names: dict[str, list[str]] = {}
    for measure in measures:
        for name in directory.expand(measure).unresolved:
            names.setdefault(name, []).append(measure.measure_id)
    return names
