"""The supervision loop's work lists, from the assignments as the tracker last published them (its loop_state):

- a unit's inbox (待办): its assignments in three lists, each assignment in at most one:
  - to_sign (待签收): assigned to it and not signed for (loop_state `assigned`; a unit that reported without being
    named has nothing to sign);
  - returned (被退回): its completion request was sent back (returned_count > 0) and it has not asked again
    (loop_state `in_progress`); reopened after a closing without a return is not here, but under to_report;
  - to_report (待报送): signed for or in progress, not returned, nothing waiting for verification and not closed out;
    those without a report on the current period first (the period the day falls in, periods.py);
- a region's verification queue (待核查): the completion requests waiting (loop_state `completion_requested`) of the
  assignments in the region and below, the oldest request first, each with its days waiting (China days from the
  request to today) and the measure's lead units (who may verify, beside the supervising office).

Each row carries the assignment's light (lights.py) and the alerts' overdue flag at that day, from the figures'
evaluation (rollup.Fact).
"""

from collections.abc import Iterable
from datetime import date

from services.reporting.domain.flags import aware
from services.reporting.domain.rollup import Fact
from services.reporting.domain.snapshot import Snapshot
from shared.domain.calendar import local_date
from shared.domain.regions import within

ASSIGNED, SIGNED, IN_PROGRESS, REQUESTED = "assigned", "signed", "in_progress", "completion_requested"


def inbox(snapshot: Snapshot, unit: str, today: date) -> dict:
    """The unit's to_sign, to_report and returned lists (the rules above), each in the plan's order."""
    evaluation = snapshot.evaluation(today)
    facts = _facts(evaluation.facts_by_code.values())
    lists: dict[str, list[dict]] = {"to_sign": [], "to_report": [], "returned": []}
    for view in snapshot.assignments:
        if view["unit"] != unit:
            continue
        state = view.get("loop_state")
        if state == ASSIGNED and view.get("role") is not None:
            name = "to_sign"
        elif state == IN_PROGRESS and view.get("returned_count"):
            name = "returned"
        elif state in (SIGNED, IN_PROGRESS):
            name = "to_report"
        else:
            continue
        lists[name].append(assignment_row(snapshot, view, facts.get((view["measure_id"], unit))))
    for rows in lists.values():
        rows.sort(key=lambda r: (r["reported_in_period"], r["number"] is None, r["number"] or 0, r["region_code"]))
    return {"unit": unit, "as_of": today.isoformat(), "period": evaluation.period.as_dict(),
            **{name: rows for name, rows in lists.items()}, "counts": {name: len(rows) for name, rows in lists.items()}}


def verification_queue(snapshot: Snapshot, region_code: str, today: date) -> dict:
    """The region's completion requests waiting for verification, the oldest first, with days_waiting."""
    evaluation = snapshot.evaluation(today)
    facts = _facts(evaluation.facts_by_code.values())
    waiting = sorted((view for view in snapshot.assignments if view.get("loop_state") == REQUESTED
                      and within(view["region_code"], region_code)), key=_oldest_first)
    rows = []
    for view in waiting:
        requested = local_date(view.get("completion_requested_at"))
        row = assignment_row(snapshot, view, facts.get((view["measure_id"], view["unit"])))
        rows.append({**row, "completion_requested_at": _iso(view.get("completion_requested_at")),
                     "days_waiting": (today - requested).days if requested else None,
                     "lead_units": [{"unit": unit, "unit_name": name}
                                    for unit, name in evaluation.leads.get(view["measure_id"], [])]})
    return {**snapshot.region_label(region_code), "trail": snapshot.trail(region_code), "as_of": today.isoformat(),
            "total": len(rows), "rows": rows}


def _facts(groups: Iterable[list[Fact]]) -> dict[tuple[str, str], Fact]:
    return {(fact.measure_id, fact.unit): fact for facts in groups for fact in facts}


def _oldest_first(view: dict) -> tuple:
    requested = view.get("completion_requested_at")
    return requested is None, aware(requested) if requested else None, view["measure_id"], view["unit"]


def assignment_row(snapshot: Snapshot, view: dict, fact: Fact | None) -> dict:
    """An assignment as a row of the loop's lists and the head of its timeline (timeline.py)."""
    measure = snapshot.measures.get(view["measure_id"]) or {}
    return {"measure_id": view["measure_id"], "number": measure.get("number"), "title": measure.get("title"),
            "unit": view["unit"], "unit_name": view.get("unit_name") or view["unit"], "role": view.get("role"),
            "region_code": view["region_code"], "region_name": snapshot.region_label(view["region_code"])["name"],
            "loop_state": view.get("loop_state"), "status": view.get("status"),
            "percent_complete": view.get("percent_complete") or 0, "signed_at": _iso(view.get("signed_at")),
            "returned_count": view.get("returned_count") or 0, "light": fact.light if fact else None,
            "overdue": bool(fact and fact.overdue), "reported_in_period": bool(fact and fact.reported)}


def _iso(value) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value
