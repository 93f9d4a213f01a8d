"""Silent: a unit that has not reported for the reporting period whose report is due.

Units report once per period (quarterly by default, or monthly: `reporting_cadence`). A period's report is due
by its end plus `silent_grace_days` (a late report for a closed period is accepted within that window; on the
window's last day the unit is not silent yet). The due period is the latest whose window has passed.

The unit's latest report covers the period its label names (2026-Q1; a year or half-year label counts as its
last quarter or month), but never a period after the one it was sent in: a report labelled 2026 sent in March
covers the first quarter only. The unit is silent when that covered period is before the due period, or when it
never reported; silent for `silent_critical_periods` periods in a row is critical. A completed assignment and a
measure whose reporting starts (its start date, else its publication) after the due period are never silent.

Only the latest report is known here (the tracker's current report per assignment): a correction sent later for
an older period hides a newer period's report.
"""

from datetime import date, timedelta

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.rules import AlertRules
from services.alerts.domain.schedule import Schedule
from services.alerts.domain.wording import alert
from shared.domain.calendar import (
    MONTHS,
    due_period,
    label_end,
    local_date,
    period_end,
    period_index,
    period_label,
    period_name,
)


def covered_period(assignment: dict, months: int) -> int | None:
    """The latest reporting period the assignment's latest report covers, or None if it never reported."""
    sent = local_date(assignment.get("reported_at"))
    if sent is None:
        return None
    covered = period_index(sent, months)
    labelled = label_end(assignment.get("period"))
    return min(covered, period_index(labelled, months)) if labelled else covered


def silent(schedule: Schedule, assignment: dict, today: date, rules: AlertRules) -> Alert | None:
    if assignment.get("status") == "completed":
        return None
    months = MONTHS[rules.reporting_cadence]
    due = due_period(today, months, rules.silent_grace_days)
    first = period_index(schedule.reporting_start, months) if schedule.reporting_start else None
    if first is not None and first > due:
        return None
    covered = covered_period(assignment, months)
    if covered is not None and covered >= due:
        return None
    # The first period missed: after the covered one; from the start when it never reported; with neither known,
    # only the due period is known to be missed.
    since = covered + 1 if covered is not None else first if first is not None else due
    missed = due - max(since, first if first is not None else since) + 1
    due_by = period_end(due, months) + timedelta(days=rules.silent_grace_days)
    sent = local_date(assignment.get("reported_at"))
    last = f"最近一次报送 {sent.isoformat()}（{assignment.get('period')}）" if sent else "从未报送进展"
    in_a_row = f"，已连续 {missed} 个周期未报送" if missed > 1 else ""
    return alert(
        Kind.SILENT, Severity.CRITICAL if missed >= rules.silent_critical_periods else Severity.WARNING,
        schedule, assignment,
        f"{period_name(due, months)}进展未报送（应于 {due_by.isoformat()} 前报送，已逾 "
        f"{(today - due_by).days} 天），{last}{in_a_row}",
        {"period": period_label(due, months), "due_by": due_by.isoformat(), "days_late": (today - due_by).days,
         "missed_periods": missed, "last_reported_at": sent.isoformat() if sent else None,
         "last_period": assignment.get("period")},
    )
