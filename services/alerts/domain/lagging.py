"""Lagging: behind the progress the time elapsed calls for (序时进度), in percent or in a target's indicator.

序时进度 on a day = the share of the time from the measure's start to its deadline (schedule.final) that has
elapsed, in percent: 0 on the start date, 100 on the deadline. It is judged from the start to the deadline
included; after the deadline the assignment is overdue instead. A measure without a start date or without
such a deadline, and a completed assignment, are never lagging.

- progress: the percent complete the unit typed is more than `lagging_tolerance_points` below 序时进度
  (exactly at the tolerance is not lagging); critical beyond `lagging_critical_points`.
- indicator: for each quantitative target the unit reported a value for, the trajectory runs in a straight
  line from the indicator's baseline on the start date to the target value on the deadline. The baseline is
  the plan's (`indicator_baselines`), else 0 for a rising target (≥, >): then the trajectory is the target
  times 序时进度. A falling target (≤, <) without a baseline, and an exact one (=), have no trajectory.
  Lagging when the value is on the wrong side of the trajectory by more than `indicator_tolerance` × target
  (e.g. 出庭应诉率 ≥ 95% from a baseline of 80%, halfway through: trajectory 87.5%; a value of 85% lags).
"""

from datetime import date

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.rules import AlertRules
from services.alerts.domain.schedule import Schedule
from services.alerts.domain.wording import alert, number, percent

RISING, FALLING = (">=", ">"), ("<=", "<")


def elapsed_share(schedule: Schedule, today: date) -> float | None:
    """The share of the start-to-deadline span elapsed, or None when the assignment is not judged today."""
    start, final = schedule.start, schedule.final and schedule.final.date
    if start is None or final is None or not start < final or not start <= today <= final:
        return None
    return (today - start).days / (final - start).days


def lagging(schedule: Schedule, assignment: dict, today: date, rules: AlertRules) -> list[Alert]:
    share = None if assignment.get("status") == "completed" else elapsed_share(schedule, today)
    if share is None:
        return []
    found = [behind_schedule(schedule, assignment, share, rules)]
    values = assignment.get("indicator_values") or {}
    found += [behind_trajectory(schedule, assignment, target, values[target["indicator"]], share, rules)
              for target in schedule.targets if target["indicator"] in values]
    return [a for a in found if a]


def behind_schedule(schedule: Schedule, assignment: dict, share: float, rules: AlertRules) -> Alert | None:
    progress = float(assignment.get("percent_complete") or 0)
    expected = 100 * share
    behind = expected - progress
    if behind <= rules.lagging_tolerance_points:
        return None
    final = schedule.final
    return alert(
        Kind.LAGGING, Severity.CRITICAL if behind > rules.lagging_critical_points else Severity.WARNING,
        schedule, assignment,
        f"当前进度 {percent(progress)}，低于序时进度 {percent(expected)}（{schedule.start.isoformat()} 至期限"
        f"“{final.text}”({final.date.isoformat()})），落后 {number(behind)} 个百分点，"
        f"超过容差 {number(rules.lagging_tolerance_points)} 个百分点",
        {"percent_complete": progress, "expected_percent": round(expected, 2), "behind_points": round(behind, 2),
         "tolerance_points": rules.lagging_tolerance_points, "start_date": schedule.start.isoformat(),
         "deadline": final.text, "due": final.date.isoformat()},
        subject="progress",
    )


def trajectory(target: dict, baseline: float | None, share: float) -> float | None:
    if baseline is None:
        if target["comparator"] not in RISING:
            return None
        baseline = 0.0
    if target["comparator"] not in RISING + FALLING:
        return None
    return baseline + (target["value"] - baseline) * share


def behind_trajectory(schedule: Schedule, assignment: dict, target: dict, value: float, share: float,
                      rules: AlertRules) -> Alert | None:
    indicator, unit = target["indicator"], target.get("unit", "")
    expected = trajectory(target, rules.indicator_baselines.get(indicator), share)
    if expected is None:
        return None
    margin = rules.indicator_tolerance * abs(target["value"])
    rising = target["comparator"] in RISING
    if (value >= expected - margin) if rising else (value <= expected + margin):
        return None
    return alert(
        Kind.LAGGING, Severity.WARNING, schedule, assignment,
        f"指标“{indicator}”当前 {number(value)}{unit}，{'低于' if rising else '高于'}按序时应达到的 "
        f"{number(expected)}{unit}（目标 {target['comparator']} {number(target['value'])}{unit}，"
        f"期限 {schedule.final.date.isoformat()}）",
        {"indicator": indicator, "value": value, "expected_value": round(expected, 2),
         "baseline": rules.indicator_baselines.get(indicator, 0.0 if rising else None),
         "comparator": target["comparator"], "target": target["value"], "unit": unit,
         "due": schedule.final.date.isoformat()},
        subject=f"indicator:{indicator}",
    )
