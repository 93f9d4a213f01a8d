"""The supervision loop's alerts (督办闭环): an assignment not signed for in time, a completion request not checked.

Where the assignment stands in the loop is the tracker's decision, read from its assignment-updated (`loop_state`,
`completion_requested_at`); a state stored before the loop existed carries none and raises neither alert.

Unsigned (未签收): a unit named in the measure (`assigned`) still `assigned`, not signed for (签收), once
`sign_within_working_days` working days have passed since the measure was issued. Issued (交办) is the day of the
measure's publication, its measure-created's time, the only moment the events give for it (assignment-updated
says what an assignment is, not since when): a measure published again (a correction) is issued again, and a unit
named only then has its full limit from then. The limit's last day is the last on which signing is on time.

Awaiting verification (待核查): a completion request (办结申请) neither verified nor returned once
`verify_within_working_days` working days have passed since it was made. The alert asks the checking side to act
(the tracker's rule of who may check: services/tracker/domain/loop.py): the measure's lead units (牵头单位) or
the supervising office of the unit's region (督查部门); the supervising office alone when the unit is itself the
measure's lead unit (a unit never checks its own completion) or the measure names no lead unit.

Working days: domain/workdays.py. Both alerts are warnings; a closed-out assignment raises none
(domain/evaluate.py).
"""

from datetime import date

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.rules import AlertRules
from services.alerts.domain.schedule import Schedule
from services.alerts.domain.wording import alert
from services.alerts.domain.workdays import working_days_after, working_days_between
from shared.domain.calendar import local_date


def late_by(limit: date, today: date) -> str:
    """"已逾 4 天（2 个工作日）": how far past a limit's last day today is."""
    return f"已逾 {(today - limit).days} 天（{working_days_between(limit, today)} 个工作日）"


def lateness(limit: date, today: date) -> dict:
    return {"days_late": (today - limit).days, "working_days_late": working_days_between(limit, today)}


def unsigned(schedule: Schedule, assignment: dict, today: date, rules: AlertRules) -> Alert | None:
    if assignment.get("loop_state") != "assigned" or not assignment.get("assigned", True) or not schedule.issued_on:
        return None
    allowed = rules.sign_within_working_days
    sign_by = working_days_after(schedule.issued_on, allowed)
    if today <= sign_by:
        return None
    return alert(
        Kind.UNSIGNED, Severity.WARNING, schedule, assignment,
        f"{schedule.issued_on.isoformat()} 交办，应于 {sign_by.isoformat()} 前签收（{allowed} 个工作日内），"
        f"{late_by(sign_by, today)}仍未签收",
        {"assigned_on": schedule.issued_on.isoformat(), "sign_by": sign_by.isoformat(),
         "working_days_allowed": allowed, **lateness(sign_by, today)},
    )


def verifier_of(schedule: Schedule, assignment: dict) -> tuple[str, list[str], str]:
    """Who must check the assignment's completion: `lead_unit` or `supervising_office`, the lead units to name,
    and the request to them in Chinese."""
    if assignment.get("role") == "lead" or not schedule.lead_units:
        return "supervising_office", [], "请本级督查部门核查"
    lead = "、".join(schedule.lead_units)
    return "lead_unit", list(schedule.lead_units), f"请牵头单位（{lead}）或本级督查部门核查"


def awaiting_verification(schedule: Schedule, assignment: dict, today: date, rules: AlertRules) -> Alert | None:
    requested = local_date(assignment.get("completion_requested_at"))
    if assignment.get("loop_state") != "completion_requested" or requested is None:
        return None
    allowed = rules.verify_within_working_days
    verify_by = working_days_after(requested, allowed)
    if today <= verify_by:
        return None
    verifier, lead_units, who = verifier_of(schedule, assignment)
    return alert(
        Kind.AWAITING_VERIFICATION, Severity.WARNING, schedule, assignment,
        f"{requested.isoformat()} 提交办结申请，应于 {verify_by.isoformat()} 前核查（{allowed} 个工作日内），"
        f"{late_by(verify_by, today)}仍未核查或退回，{who}",
        {"requested_on": requested.isoformat(), "verify_by": verify_by.isoformat(), "working_days_allowed": allowed,
         **lateness(verify_by, today), "verifier": verifier, "lead_units": lead_units,
         "verifier_region_code": assignment["region_code"]},
    )
