"""Which progress report is current: the latest by reported_at, ties broken by event id.

Kafka may deliver reports in any order across retries and rebalances; ordering by the report's own time
(and the event id, so every replay agrees) makes the result independent of delivery order.
"""

from dataclasses import dataclass
from datetime import datetime

from shared.contracts import AssignmentStatus, ProgressReport


@dataclass(frozen=True, order=True)
class ReportVersion:
    reported_at: datetime
    event_id: str

    def supersedes(self, other: "ReportVersion | None") -> bool:
        return other is None or self > other


def completed_at(report: ProgressReport) -> datetime | None:
    """A unit's own word that it finished is the completion date."""
    return report.reported_at if report.status is AssignmentStatus.COMPLETED else None
