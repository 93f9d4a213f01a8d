"""Lagging: behind the progress the time elapsed calls for (序时进度), in percent or in a target's indicator.

序时进度 on a day = the share of the time from the measure's start to its deadline (schedule.final) that has
elapsed, in percent: 0 on the start date, 100 on the deadline. Lagging is judged from the start to the deadline
included; after the deadline the assignment is overdue instead. A measure without a start date or without such a
deadline has no 序时进度: only its rates and time limits are judged. A completed assignment never lags.

- progress: the percent complete the unit typed is more than `lagging_tolerance_points` below 序时进度
  (exactly at the tolerance is not lagging); critical beyond `lagging_critical_points`.
- indicator: for each quantitative target the unit reported a value for, by the target's kind (told by the plan
  parser: services/intake/domain/plans/targets.py; carried in measure-created):
  - a rate, share or coverage, or a time limit (`rate`, `time_limit`): must hold whenever reported, so the value
    is held against the target itself, on every day from the start (if any) to the deadline (if any) included,
    whether or not the measure has a 序时进度: lagging when it does not meet the target by more than
    `indicator_tolerance` × target (复议案件按期办结率 ≥ 95%: a value of 90% lags in June as in December;
    24小时内举行新闻发布会: 30 lags);
  - a count or an amount (`count`, `amount`), and a target without a kind (events published before the kind
    existed): they accumulate, so the trajectory runs in a straight line from the indicator's baseline on the
    start date to the target value on the deadline. The baseline is the plan's (`indicator_baselines`), else 0
    for a rising target (≥, >): then the trajectory is the target times 序时进度. A falling target (≤, <)
    without a baseline, and an exact one (=), have no trajectory. Lagging when the value is on the wrong side of
    the trajectory by more than `indicator_tolerance` × target (每年举办2期: 1 期 halfway is on track, 0 lags).
  A target is met or not by the comparators reporting's attainment uses (shared/domain/targets.py).
"""

from datetime import date

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.rules import AlertRules
from services.alerts.domain.schedule import Schedule
from services.alerts.domain.wording import alert, number, percent
from shared.domain.targets import COMPARATORS

RISING, FALLING = (">=", ">"), ("<=", "<")
HELD = ("rate", "time_limit")  # the kinds of target that must hold whenever reported


def elapsed_share(schedule: Schedule, today: date) -> float | None:
    """The share of the start-to-deadline span elapsed, or None when the assignment is not judged today."""
    start, final = schedule.start, schedule.final and schedule.final.date
    if start is None or final is None or not start < final or not start <= today <= final:
        return None
    return (today - start).days / (final - start).days


def under_way(schedule: Schedule, today: date) -> bool:
    """From the start (if any) to the deadline 序时进度 runs to (if any), both included."""
    final = schedule.final and schedule.final.date
    return (schedule.start is None or schedule.start <= today) and (final is None or today <= final)


def lagging(schedule: Schedule, assignment: dict, today: date, rules: AlertRules) -> list[Alert]:
    if assignment.get("status") == "completed":
        return []
    share = elapsed_share(schedule, today)
    found = [] if share is None else [behind_schedule(schedule, assignment, share, rules)]
    values = assignment.get("indicator_values") or {}
    for target in schedule.targets:
        value = values.get(target["indicator"])
        if value is None:
            continue
        if target.get("kind") in HELD:
            if under_way(schedule, today):
                found.append(short_of_target(schedule, assignment, target, value, rules))
        elif share is not None:
            found.append(behind_trajectory(schedule, assignment, target, value, share, rules))
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


def meets(target: dict, value: float, margin: float) -> bool:
    """The value meets the target, allowed to fall short of it by `margin` (in the target's unit)."""
    comparator = target["comparator"]
    if comparator == "=":
        return abs(value - target["value"]) <= margin
    return COMPARATORS[comparator](value + margin if comparator in RISING else value - margin, target["value"])


def short_of_target(schedule: Schedule, assignment: dict, target: dict, value: float,
                    rules: AlertRules) -> Alert | None:
    """A rate or a time limit not met at the unit's latest report."""
    margin = rules.indicator_tolerance * abs(target["value"])
    if meets(target, value, margin):
        return None
    indicator, unit = target["indicator"], target.get("unit", "")
    final = schedule.final and schedule.final.date
    return alert(
        Kind.LAGGING, Severity.WARNING, schedule, assignment,
        f"指标“{indicator}”当前 {number(value)}{unit}，未达到目标 {target['comparator']} "
        f"{number(target['value'])}{unit}（{'比率' if target['kind'] == 'rate' else '时限'}类指标每次报送均须达到）",
        {"indicator": indicator, "kind": target["kind"], "value": value, "comparator": target["comparator"],
         "target": target["value"], "unit": unit, "tolerance": round(margin, 2),
         "due": final.isoformat() if final else None},
        subject=f"indicator:{indicator}",
    )
