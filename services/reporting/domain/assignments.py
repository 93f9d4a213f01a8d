"""The assignment view the figures are made of: one assignment (a measure's unit) with its current report.

Shape (a dict, what rollup.py, flags.py and the alerts' rules read): measure_id, unit, unit_name, role ("lead",
"responsible" or None: a unit that reported without being named), region_code (the unit's own once it has
reported, the issuing region's until then), status, percent_complete, period (the current report's), reported_at,
completed_at (aware datetimes or None), narrative, indicator_values, periods_reported (every period with a
counted report, sorted: the reporting rate's base), and the supervision loop's loop_state (None in states from
before the loop), signed_at, completion_requested_at, closed_out_at, returned_count. Built from the tracker's
assignment-updated state (shared/contracts/assignments.py), stored whole in reporting_assignments.
"""

from collections.abc import Mapping
from datetime import datetime

from services.reporting.domain.flags import aware

REPORT_FIELDS = ("status", "percent_complete", "period", "reported_at", "completed_at", "narrative",
                 "indicator_values", "periods_reported")

LOOP_FIELDS = ("loop_state", "signed_at", "completion_requested_at", "closed_out_at")


def key_of(measure_id: str, unit: str) -> str:
    """The assignment key, as the tracker keys its events: `measure_id|unit`."""
    return f"{measure_id}|{unit}"


def view_of(state: Mapping) -> dict:
    """The view of a stored assignment state (reporting_assignments) or of one revision of it."""
    return {
        "measure_id": state["measure_id"],
        "unit": state["unit"],
        "unit_name": state.get("unit_name") or state["unit"],
        "role": state.get("role"),
        "region_code": state["region_code"],
        "status": str(state.get("status") or "not_started"),
        "percent_complete": state.get("percent_complete") or 0,
        "period": state.get("period"),
        "reported_at": state.get("reported_at"),
        "completed_at": state.get("completed_at"),
        "narrative": state.get("narrative") or "",
        "indicator_values": state.get("indicator_values") or {},
        "periods_reported": list(state.get("periods_reported") or []),
        **{name: state.get(name) for name in LOOP_FIELDS},
        "returned_count": state.get("returned_count") or 0,
    }


def as_reported(assignment: Mapping | None, report: Mapping | None) -> dict:
    """An assignment's view with another report as its current one (a past day's: history.py); None for either:
    not reported then (not started), or a unit that reported without being named. The loop is the assignment's
    where it states one (a report carries none), else the report's."""
    source = assignment or report
    assert source is not None
    view = view_of({**source, **{name: None for name in REPORT_FIELDS}})
    if report is not None:
        kept = ("unit_name", "role", *(name for name in (*LOOP_FIELDS, "returned_count") if name in source))
        view.update(view_of(report) | {name: view[name] for name in kept})
        view["region_code"] = report.get("region_code") or view["region_code"]
    return view


def loop_then(view: dict, cutoff: datetime) -> dict:
    """The view with its loop state as it stood before `cutoff` (a past day's end), from the current loop's times:
    closed out if its closing came before, completion requested if the request waiting or verified did, otherwise
    no claim beyond its report (earlier requests since returned are not in the state, so they count as none)."""
    closed, requested = view.get("closed_out_at"), view.get("completion_requested_at")
    if closed is not None and aware(closed) < cutoff:
        state = "closed_out"
    elif requested is not None and aware(requested) < cutoff:
        state = "completion_requested"
    elif view.get("loop_state") in ("closed_out", "completion_requested"):
        state = "in_progress"
    else:
        state = view.get("loop_state")
    return {**view, "loop_state": state}
