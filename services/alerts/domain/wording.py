"""How alerts are built and worded: the assignment's identity, numbers as a reader expects them."""

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.schedule import Schedule


def number(value: float) -> str:
    """40 → "40", 62.456 → "62.5"."""
    return f"{round(float(value), 1):g}"


def percent(value: float) -> str:
    return f"{number(value)}%"


def alert(kind: Kind, severity: Severity, schedule: Schedule, assignment: dict, reason: str, figures: dict,
          subject: str = "") -> Alert:
    return Alert(
        kind=kind, severity=severity, measure_id=schedule.measure_id, plan_id=schedule.plan_id,
        unit=assignment["unit"], unit_name=assignment.get("unit_name") or assignment["unit"],
        region_code=assignment["region_code"], reason=reason, figures=figures, subject=subject,
    )
