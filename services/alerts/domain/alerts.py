"""An alert: which rule, how serious, why in plain Chinese, the figures behind it, and whom it concerns.

Severity scale (ordered):
- info (提示): a reminder, nothing is wrong yet: a deadline is near (due soon).
- warning (预警, amber): something is wrong: overdue up to `overdue_critical_days`, lagging behind 序时进度 by up
  to `lagging_critical_points`, a target's indicator below its trajectory, one reporting period missed.
- critical (严重, red): long overdue, far behind, or silent for `silent_critical_periods` periods in a row.
The supervision loop's alerts (domain/loop.py) are warnings: an assignment not signed for in time (unsigned), and a
completion request not checked in time (awaiting verification: addressed to the verifier, not to the unit, so it
does not flag the unit: domain/flags.py).

An alert's key is its kind, assignment and subject: one open alert per key. Its figures may change from day
to day (days overdue grow) without it becoming another alert.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    LAGGING = "lagging"
    SILENT = "silent"
    UNSIGNED = "unsigned"
    AWAITING_VERIFICATION = "awaiting_verification"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.CRITICAL: 3}
# Between alerts of one severity, which is worse (a unit's flag shows the worst).
KIND_RANK = {Kind.OVERDUE: 6, Kind.LAGGING: 5, Kind.SILENT: 4, Kind.UNSIGNED: 3, Kind.AWAITING_VERIFICATION: 2,
             Kind.DUE_SOON: 1}
# Alerts that ask the checking side to act (the lead unit or the supervising office), not the assigned unit.
VERIFIER_KINDS = frozenset({Kind.AWAITING_VERIFICATION})


@dataclass(frozen=True)
class Alert:
    kind: Kind
    severity: Severity
    measure_id: str
    unit: str
    unit_name: str
    region_code: str
    reason: str
    figures: dict = field(hash=False)
    plan_id: str | None = None
    # What within the assignment it is about, when there can be several of a kind: "progress",
    # "indicator:出庭应诉率" (lagging). Empty for the other kinds: one each per assignment.
    subject: str = ""

    @property
    def key(self) -> str:
        return "|".join((self.kind, self.measure_id, self.unit, self.subject))

    @property
    def rank(self) -> tuple[int, int]:
        return self.severity.rank, KIND_RANK[self.kind]

    def to_json(self) -> dict:
        return {
            "key": self.key, "kind": str(self.kind), "severity": str(self.severity), "subject": self.subject,
            "measure_id": self.measure_id, "plan_id": self.plan_id, "unit": self.unit, "unit_name": self.unit_name,
            "region_code": self.region_code, "reason": self.reason, "figures": self.figures,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Alert":
        return cls(kind=Kind(data["kind"]), severity=Severity(data["severity"]), measure_id=data["measure_id"],
                   unit=data["unit"], unit_name=data.get("unit_name", data["unit"]), region_code=data["region_code"],
                   reason=data["reason"], figures=dict(data.get("figures", {})), plan_id=data.get("plan_id"),
                   subject=data.get("subject", ""))
