"""alert-raised, alert-severity-changed and alert-cleared: an alert of the alerts service opening, becoming more
(or less) serious while open, or closing, once per transition.

The key (kind, measure, unit, subject) is the alert's stable key and the Kafka key, so one alert's events stay
in order on one partition. An event's id is derived from the alert's episode (one opening to its closing), so a
re-publication after a crash carries the same id and consumers can drop it.
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime

from shared.contracts.cloudevents import CloudEvent, ContractModel, NonEmpty, field_is
from shared.contracts.measures import RegionCode

AlertKind = Literal["overdue", "due_soon", "lagging", "silent", "unsigned", "awaiting_verification"]


class AlertNotice(ContractModel):
    key: NonEmpty
    episode: NonEmpty  # one opening of the key: a key cleared and raised again is a new episode
    kind: AlertKind
    severity: Literal["info", "warning", "critical"]
    subject: str = ""
    measure_id: NonEmpty
    plan_id: str | None = None
    unit: NonEmpty
    unit_name: str
    region_code: RegionCode
    reason: str
    figures: dict[str, Any]
    opened_at: AwareDatetime
    closed_at: AwareDatetime | None = None
    as_of: str  # the day the alert was judged on (YYYY-MM-DD)
    previous_severity: Literal["info", "warning", "critical"] | None = None  # alert-severity-changed: from what

    @classmethod
    def of(cls, alert: dict, episode: str, opened_at: datetime, as_of: str, closed_at: datetime | None = None,
           previous_severity: str | None = None) -> "AlertNotice":
        return cls(**alert, episode=episode, opened_at=opened_at, closed_at=closed_at, as_of=as_of,
                   previous_severity=previous_severity)


class AlertRaised(CloudEvent[AlertNotice]):
    type: str = field_is("alert-raised")


class AlertSeverityChanged(CloudEvent[AlertNotice]):
    """An open alert whose severity changed (warning to critical as days overdue pass, or back)."""
    type: str = field_is("alert-severity-changed")


class AlertCleared(CloudEvent[AlertNotice]):
    type: str = field_is("alert-cleared")


ALERT_EVENTS: dict[str, type[CloudEvent]] = {
    "alert-raised": AlertRaised, "alert-severity-changed": AlertSeverityChanged, "alert-cleared": AlertCleared}
