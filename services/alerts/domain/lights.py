"""亮灯: each assignment's light, green, yellow or red, from the alerts open on it and its supervision loop.

- red (红灯): an overdue alert, a completion returned twice or more (`returned_count` ≥ 2: the work was claimed
  done and found not done twice), or any critical alert (long overdue, far behind, silent period after period);
- yellow (黄灯): any other open alert: due soon, lagging, silent, unsigned, or a completion awaiting verification;
- green (绿灯): on track (no alert open), or closed out (销号; whatever came before: the loop is done).

The reasons say why: the kinds of the alerts open on the assignment, `returned_twice`, or `closed_out` for a
closed-out green; an on-track green has none. An assignment is lit only once the rules could judge it (its
measure known: domain/evaluate.py). The light changes when its colour does; reasons alone changing (yellow for
due soon, then yellow for lagging) are not a change.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from services.alerts.domain.alerts import KIND_RANK, Alert, Severity

RETURNED_TWICE = 2  # completions returned: red from this many on


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class Lit:
    """One assignment's light and its reasons (most serious alert kind first)."""

    measure_id: str
    unit: str
    region_code: str
    light: Light
    reasons: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.measure_id}|{self.unit}"


def light_of(assignment: dict, alerts: Iterable[Alert]) -> Lit:
    """The light of one assignment (a view as domain/evaluate.py reads it) with the alerts open on it."""
    alerts = list(alerts)
    kinds = sorted({alert.kind for alert in alerts}, key=lambda kind: -KIND_RANK[kind])
    returned_twice = (assignment.get("returned_count") or 0) >= RETURNED_TWICE
    if assignment.get("loop_state") == "closed_out":
        light, reasons = Light.GREEN, ["closed_out"]
    elif returned_twice or any(alert.kind == "overdue" or alert.severity == Severity.CRITICAL for alert in alerts):
        light, reasons = Light.RED, [*map(str, kinds), *(["returned_twice"] if returned_twice else [])]
    else:
        light, reasons = (Light.YELLOW if kinds else Light.GREEN), [str(kind) for kind in kinds]
    return Lit(assignment["measure_id"], assignment["unit"], assignment["region_code"], light, tuple(reasons))


def lights_of(assignments: Iterable[dict], alerts: Iterable[Alert]) -> dict[str, Lit]:
    """Each assignment's light (by its key `measure_id|unit`) with the alerts among `alerts` that are its own."""
    own: dict[tuple[str, str], list[Alert]] = defaultdict(list)
    for alert in alerts:
        own[alert.measure_id, alert.unit].append(alert)
    lit = (light_of(assignment, own[assignment["measure_id"], assignment["unit"]]) for assignment in assignments)
    return {light.key: light for light in lit}


def changed(stored: dict[str, str], judged: dict[str, Lit]) -> list[Lit]:
    """The lights judged whose colour differs from the one stored for their key (`stored`: key -> light; a key
    not stored has none yet, so its first light is a change)."""
    return [lit for key, lit in judged.items() if stored.get(key) != lit.light]
