"""Overdue and due soon: an assignment against its measure's deadlines on one day.

Overdue: an occurrence of a deadline has passed and the assignment has not met it. A deadline is met on its own
day: an assignment becomes overdue the day after. Among several missed occurrences, the latest one is reported
(the one the unit is late for now; a recurring deadline's older misses are not counted again).
Due soon: an occurrence not met yet falls within the next `due_soon_days` days, today included (the reminder
before the deadline; on the deadline's own day it says 今天到期).
"""

from datetime import date

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.rules import AlertRules
from services.alerts.domain.schedule import Schedule
from services.alerts.domain.wording import alert, percent
from shared.domain.deadlines import met


def overdue(schedule: Schedule, assignment: dict, today: date, rules: AlertRules) -> Alert | None:
    missed = [
        (found[0], deadline)
        for deadline in schedule.deadlines
        if (found := deadline.last_before(today)) and not met(found[1], assignment)
    ]
    if not missed:
        return None
    due, deadline = max(missed, key=lambda pair: pair[0])
    days = (today - due).days
    progress = assignment.get("percent_complete") or 0
    return alert(
        Kind.OVERDUE, Severity.CRITICAL if days > rules.overdue_critical_days else Severity.WARNING,
        schedule, assignment,
        f"已超过期限“{deadline.text}”({due.isoformat()}) {days} 天，当前进度 {percent(progress)}",
        {"deadline": deadline.text, "due": due.isoformat(), "recurrence": deadline.recurrence,
         "days_overdue": days, "percent_complete": progress, "status": assignment.get("status")},
    )


def due_soon(schedule: Schedule, assignment: dict, today: date, rules: AlertRules) -> Alert | None:
    upcoming = [
        (found[0], deadline)
        for deadline in schedule.deadlines
        if (found := deadline.next_on_or_after(today))
        and (found[0] - today).days <= rules.due_soon_days and not met(found[1], assignment)
    ]
    if not upcoming:
        return None
    due, deadline = min(upcoming, key=lambda pair: pair[0])
    days = (due - today).days
    progress = assignment.get("percent_complete") or 0
    when = "今天到期" if days == 0 else f"还有 {days} 天到期"
    return alert(
        Kind.DUE_SOON, Severity.INFO, schedule, assignment,
        f"期限“{deadline.text}”({due.isoformat()}) {when}，当前进度 {percent(progress)}",
        {"deadline": deadline.text, "due": due.isoformat(), "recurrence": deadline.recurrence,
         "days_left": days, "percent_complete": progress, "status": assignment.get("status")},
    )
