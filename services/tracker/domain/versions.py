"""Which of two versions of the same thing is current: the later one, ties broken by event id.

Kafka may deliver events in any order across retries and rebalances; ordering by the event's own time
(a report's reported_at, a measure's publication time) and then its id makes the result independent of
delivery order, and every replay agrees.

The order holds at the precision that is stored: BSON datetimes keep milliseconds, so a version's time is
truncated to the millisecond here, and two events within one millisecond are ordered by event id in memory
exactly as in the database (otherwise the current report would depend on whether both came in one batch).
"""

from dataclasses import dataclass
from datetime import UTC, datetime


def at_stored_precision(at: datetime) -> datetime:
    """The time as the database keeps it: to the millisecond (BSON datetime), microseconds dropped."""
    return at.replace(microsecond=at.microsecond - at.microsecond % 1000)


@dataclass(frozen=True, order=True)
class Version:
    """`at`: a timezone-aware time, truncated to the millisecond on construction; `event_id`: the tie-breaker."""

    at: datetime
    event_id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", at_stored_precision(self.at))

    def supersedes(self, other: "Version | None") -> bool:
        return other is None or self > other

    @property
    def key(self) -> str:
        """One string ordered as the versions are ('2026-03-31T08:00:00.123+00:00|<event id>'): fixed-width UTC
        time, then the id, compared byte by byte as MongoDB compares strings, so a single `$lt` on it beside
        `_id` decides a write (an `$or` on time and id is not served by an index on SecantusDB and scans)."""
        return f"{self.at.astimezone(UTC).isoformat(timespec='milliseconds')}|{self.event_id}"


def publication(event) -> Version:
    """A publication's version (a measure's, the registry's): its event time, then its id."""
    return Version(event.time, event.id)


def newest_publication(events: list, key) -> dict:
    """The latest publication per key among these events."""
    newest: dict = {}
    for event in events:
        current = newest.get(key(event))
        if current is None or publication(event).supersedes(publication(current)):
            newest[key(event)] = event
    return newest
