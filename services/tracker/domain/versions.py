"""Which of two versions of the same thing is current: the later one, ties broken by event id.

Kafka may deliver events in any order across retries and rebalances; ordering by the event's own time
(a report's reported_at, a measure's publication time) and then its id makes the result independent of
delivery order, and every replay agrees.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, order=True)
class Version:
    at: datetime
    event_id: str

    def supersedes(self, other: "Version | None") -> bool:
        return other is None or self > other
