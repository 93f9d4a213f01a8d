"""The state of one assignment as the tracker publishes it (assignment-updated's data without its revision), and
whether it changed.

Built for the key `measure_id|unit` from what the tracker holds: the assignment (None when the measure does not
name the unit, or no longer does), the current report among the counted ones (None before any), the periods
with a counted report, and the supervision loop decided from its steps (domain/loop.py). Compared as JSON
(`model_dump(mode="json")`), so a state read back from the database and one just built are equal exactly when an
event would say the same thing twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from services.tracker.domain.assignments import Assignment
from services.tracker.domain.loop import Loop
from services.tracker.domain.reports import completed_at
from shared.contracts import ProgressReport
from shared.contracts.assignments import AssignmentState

View = dict  # AssignmentState as JSON, without `revision`


@dataclass(frozen=True)
class CurrentReport:
    """An assignment's current report and the id of the progress-reported that carried it."""

    report: ProgressReport
    event_id: str


def split_key(key: str) -> tuple[str, str]:
    """`measure_id|unit` into its parts: a measure id has no `|` (shared/contracts/measures.Identifier)."""
    measure_id, unit = key.split("|", 1)
    return measure_id, unit


def state_of(key: str, assignment: Assignment | None, current: CurrentReport | None, periods: Iterable[str],
             loop: Loop | None = None) -> View:
    """The assignment's state: `assigned` when the measure names the unit; `removed` when it neither names it nor
    has a counted report for it (then nothing but its identity is said). The region is the unit's own once it has
    reported, the assignment's until then; the loop's fields from its steps (domain/loop.py; none: not signed for).
    Raises pydantic.ValidationError for a state the contract refuses."""
    measure_id, unit = split_key(key)
    loop = loop or Loop()
    identity = {"measure_id": measure_id, "unit": unit, "unit_name": assignment.unit_name if assignment else unit,
                "role": assignment.role if assignment else None, "assigned": assignment is not None,
                **loop.fields(reported=current is not None),
                "evidence_files": evidence_files(current, loop)}
    if current is None:
        region_code = assignment.region_code if assignment else None
        if region_code is None:
            raise ValueError(f"{key}: neither named nor reported: its state is removed_state(previous)")
        return as_view(AssignmentState(**identity, region_code=region_code, revision=1,
                                       periods_reported=sorted(set(periods))))
    report = current.report
    return as_view(AssignmentState(
        **identity, region_code=report.region_code, revision=1, status=report.status,
        percent_complete=report.percent_complete, period=report.period, reported_at=report.reported_at,
        completed_at=completed_at(report), narrative=report.narrative, indicator_values=report.indicator_values,
        evidence=report.evidence, report_event_id=current.event_id, periods_reported=sorted(set(periods))))


def evidence_files(current: CurrentReport | None, loop: Loop) -> list[dict]:
    """The current report's evidence files, then those of every counted completion request, each file once."""
    files = [reference.model_dump(mode="json") for reference in current.report.evidence_files] if current else []
    return list({file["id"]: file for file in [*files, *loop.request_evidence]}.values())


def removed_state(previous: View) -> View:
    """The last word on an assignment that is gone: its identity, unassigned, removed, nothing reported."""
    return as_view(AssignmentState(measure_id=previous["measure_id"], unit=previous["unit"],
                                   unit_name=previous["unit_name"], role=None, region_code=previous["region_code"],
                                   assigned=False, removed=True, revision=1))


def next_state(previous: View | None, assignment: Assignment | None, current: CurrentReport | None,
               periods: Iterable[str], key: str, loop: Loop | None = None) -> View | None:
    """The state to publish for `key` given the one published before (None: none yet), or None when there is
    nothing to say: the same state again, or a key that is gone and was never published (a report whose unit the
    registry does not know produces no state) or already said to be removed."""
    periods = list(periods)
    if assignment is None and current is None:
        if previous is None or previous["removed"]:
            return None
        new = removed_state(previous)
    else:
        new = state_of(key, assignment, current, periods, loop)
    return None if new == previous else new


def as_view(state: AssignmentState) -> View:
    return state.model_dump(mode="json", exclude={"revision"})
