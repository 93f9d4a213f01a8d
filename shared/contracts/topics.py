"""Topic names. A deployment may prefix them (DUBAN_TOPIC_PREFIX) to share one cluster."""

from dataclasses import dataclass

from shared.contracts.loop import LOOP_EVENTS

PARTITIONS = 6


@dataclass(frozen=True)
class Topics:
    prefix: str = ""

    @property
    def measure_created(self) -> str:
        return f"{self.prefix}measure-created"

    @property
    def progress_reported(self) -> str:
        return f"{self.prefix}progress-reported"

    @property
    def progress_withdrawn(self) -> str:
        return f"{self.prefix}progress-withdrawn"

    def for_loop_event(self, event_type: str) -> str:
        """A supervision-loop step's topic (shared/contracts/loop.py): each step type has its own, named after it.
        KeyError for another event type."""
        if event_type not in LOOP_EVENTS:
            raise KeyError(event_type)
        return f"{self.prefix}{event_type}"

    def loop(self) -> list[str]:
        """The supervision loop's topics, in the loop's order."""
        return [self.for_loop_event(event_type) for event_type in LOOP_EVENTS]

    @property
    def assignment_updated(self) -> str:
        return f"{self.prefix}assignment-updated"

    @property
    def registry_published(self) -> str:
        return f"{self.prefix}registry-published"

    @property
    def dead_letter(self) -> str:
        return f"{self.prefix}dead-letter"

    @property
    def alert_raised(self) -> str:
        return f"{self.prefix}alert-raised"

    @property
    def alert_severity_changed(self) -> str:
        return f"{self.prefix}alert-severity-changed"

    @property
    def alert_cleared(self) -> str:
        return f"{self.prefix}alert-cleared"

    @property
    def assignment_light_changed(self) -> str:
        return f"{self.prefix}assignment-light-changed"

    @property
    def assignment_urged(self) -> str:
        return f"{self.prefix}assignment-urged"

    def for_alert_event(self, event_type: str) -> str:
        """The topic of an event the alerts service publishes (an alert event, assignment-light-changed or
        assignment-urged): each type has its own, named after it."""
        return {"alert-raised": self.alert_raised, "alert-severity-changed": self.alert_severity_changed,
                "alert-cleared": self.alert_cleared, "assignment-light-changed": self.assignment_light_changed,
                "assignment-urged": self.assignment_urged}[event_type]

    def all(self) -> list[str]:
        return [self.measure_created, self.progress_reported, self.progress_withdrawn, self.registry_published,
                *self.loop(), self.assignment_updated, self.dead_letter, self.alert_raised, self.alert_severity_changed,
                self.alert_cleared, self.assignment_light_changed, self.assignment_urged]
