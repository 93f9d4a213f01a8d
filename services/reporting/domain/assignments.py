"""The assignment view the figures are made of: one assignment (a measure's unit) with its current report.

Shape (a dict, what rollup.py, flags.py and the alerts' rules read): measure_id, unit, unit_name, role ("lead",
"responsible" or None: a unit that reported without being named), region_code (the unit's own once it has
reported, the issuing region's until then), status, percent_complete, period (the current report's), reported_at,
completed_at (aware datetimes or None), narrative, indicator_values, periods_reported (every period with a
counted report, sorted: the reporting rate's base). Built from the tracker's assignment-updated state
(shared/contracts/assignments.py), stored whole in reporting_assignments.
"""

from collections.abc import Mapping

REPORT_FIELDS = ("status", "percent_complete", "period", "reported_at", "completed_at", "narrative",
                 "indicator_values", "periods_reported")


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
    }


def as_reported(assignment: Mapping | None, report: Mapping | None) -> dict:
    """An assignment's view with another report as its current one (a past day's: history.py); None for either:
    not reported then (not started), or a unit that reported without being named."""
    source = assignment or report
    assert source is not None
    view = view_of({**source, **{name: None for name in REPORT_FIELDS}})
    if report is not None:
        view.update(view_of(report) | {name: view[name] for name in ("unit_name", "role")})
        view["region_code"] = report.get("region_code") or view["region_code"]
    return view
