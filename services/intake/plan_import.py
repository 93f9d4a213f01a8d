"""A parsed plan as measure-created contracts, with event ids that make re-importing idempotent."""

import datetime as dt
import hashlib
import uuid
from collections import Counter

from services.intake.plans.parser import Measure as ParsedMeasure
from services.intake.plans.parser import ParsedPlan
from shared.contracts import Deadline, Measure, Target

# Fixed for ever: event ids derive from it, so the same measure imported twice has the same id.
MEASURE_EVENTS = uuid.UUID("5b0f1a52-3c1e-4d36-9a57-2f0d6f6c1e21")
TITLE_LIMIT = 256  # the contract's limit; a longer heading keeps its whole wording in `text`


def plan_measures(plan: ParsedPlan, plan_id: str, region_code: str, start_date: dt.date | None = None) -> list[Measure]:
    """Raises pydantic's ValidationError when a parsed measure does not fit the contract."""
    start = start_date or (dt.date(plan.start_year, 1, 1) if plan.start_year else None)
    # Plans that restart numbering in each chapter need the chapter in the id to keep ids unique.
    repeated = any(count > 1 for count in Counter(m.number for m in plan.measures).values())
    chapters = list(dict.fromkeys(m.chapter for m in plan.measures))
    return [
        _measure(parsed, plan_id, region_code, start,
                 f"{plan_id}-{chapters.index(parsed.chapter) + 1}-{parsed.number}" if repeated
                 else f"{plan_id}-{parsed.number}")
        for parsed in plan.measures
    ]


def _measure(parsed: ParsedMeasure, plan_id: str, region_code: str, start: dt.date | None, measure_id: str) -> Measure:
    title, text = parsed.title, parsed.text
    if len(title) > TITLE_LIMIT:
        title, text = title[:TITLE_LIMIT - 1] + "…", f"{title}。{text}"
    return Measure(
        measure_id=measure_id, plan_id=plan_id, region_code=region_code, number=parsed.number,
        title=title, text=text, chapter=parsed.chapter,
        lead_units=parsed.lead_units, responsible_units=parsed.responsible_units, start_date=start,
        deadlines=[Deadline(**d.to_json()) for d in parsed.deadlines],
        targets=[Target(**t.to_json()) for t in parsed.targets],
    )


def measure_event_id(measure: Measure) -> str:
    """The same measure with the same content always gets the same id; a changed measure a new one."""
    content = hashlib.sha256(measure.model_dump_json().encode()).hexdigest()
    return str(uuid.uuid5(MEASURE_EVENTS, f"{measure.plan_id}|{measure.number}|{content}"))
