"""Hand-built measures and assignments for the alert rules' tests."""

from datetime import date

from services.alerts.domain.rules import AlertRules
from services.alerts.domain.schedule import Schedule

RULES = AlertRules()


def deadline(text: str, day: str | None, recurrence: str | None = None) -> dict:
    return {"text": text, "date": day, "recurrence": recurrence}


def measure(*deadlines: dict, start: str | None = "2025-01-01", targets: list[dict] | None = None, **extra) -> dict:
    return {"measure_id": "m-1", "plan_id": "p", "title": "加强行政应诉工作", "start_date": start,
            "deadlines": list(deadlines), "targets": targets or [], **extra}


def schedule(*deadlines: dict, plan_deadline: date | None = None, **fields) -> Schedule:
    return Schedule.of(measure(*deadlines, **fields), plan_deadline)


def assignment(status: str = "in_progress", percent: float = 40, reported_at: str | None = None,
               period: str | None = None, completed_at: str | None = None, **indicator_values: float) -> dict:
    return {"measure_id": "m-1", "unit": "361002.gov", "unit_name": "临川区政府", "role": "responsible",
            "region_code": "361002", "status": status, "percent_complete": percent, "period": period,
            "reported_at": reported_at, "completed_at": completed_at, "indicator_values": indicator_values}
