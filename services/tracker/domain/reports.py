"""Which progress report is current, per key (a period's report, an assignment's latest report)."""

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime

from services.tracker.domain.versions import Version
from shared.contracts import AssignmentStatus, ProgressReport, ProgressReported


def version_of(event: ProgressReported) -> Version:
    return Version(event.data.reported_at, event.id)


def newest_per_key(
    events: Iterable[ProgressReported], key: Callable[[ProgressReport], str]
) -> dict[str, ProgressReported]:
    """The current report per key among these events, as the stored state must end up."""
    newest: dict[str, ProgressReported] = {}
    for event in events:
        k = key(event.data)
        if k not in newest or version_of(event).supersedes(version_of(newest[k])):
            newest[k] = event
    return newest


def completed_at(report: ProgressReport) -> datetime | None:
    """A unit's own word that it finished is the completion date."""
    return report.reported_at if report.status is AssignmentStatus.COMPLETED else None


def content_digest(event: ProgressReported) -> str:
    """What a report says, as sent (before its unit is put in registry terms): the same event id must always
    carry the same digest; a second content under one id is a conflict to record, not a report to apply."""
    return hashlib.sha256(event.data.model_dump_json().encode()).hexdigest()
