"""Consolidated figures over a set of assignments. Averages are computed here, not in the database."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figures:
    assignments: int
    completed: int
    in_progress: int
    not_started: int
    blocked: int
    average_percent_complete: float

    def as_dict(self) -> dict:
        return asdict(self)


def rollup(assignments: Iterable[dict]) -> Figures:
    statuses: Counter[str] = Counter()
    percent_total = 0.0
    for assignment in assignments:
        statuses[assignment["status"]] += 1
        percent_total += assignment["percent_complete"]
    count = sum(statuses.values())
    return Figures(
        assignments=count,
        completed=statuses["completed"],
        in_progress=statuses["in_progress"],
        not_started=statuses["not_started"],
        blocked=statuses["blocked"],
        average_percent_complete=round(percent_total / count, 1) if count else 0.0,
    )


def rollup_by(assignments: Iterable[dict], field: str) -> dict[str, Figures]:
    """Figures per value of one field (per unit, per measure, …), in the field's order."""
    groups: dict[str, list[dict]] = {}
    for assignment in assignments:
        groups.setdefault(assignment[field], []).append(assignment)
    return {value: rollup(group) for value, group in sorted(groups.items())}
