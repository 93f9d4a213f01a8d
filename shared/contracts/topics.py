"""Topic names. A deployment may prefix them (DUBAN_TOPIC_PREFIX) to share one cluster."""

from dataclasses import dataclass

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

    @property
    def assignment_signed(self) -> str:
        return f"{self.prefix}assignment-signed"

    @property
    def completion_requested(self) -> str:
        return f"{self.prefix}completion-requested"

    @property
    def completion_verified(self) -> str:
        return f"{self.prefix}completion-verified"

    @property
    def completion_returned(self) -> str:
        return f"{self.prefix}completion-returned"

    @property
    def assignment_reopened(self) -> str:
        return f"{self.prefix}assignment-reopened"

    def loop(self) -> list[str]:
        """The supervision loop's topics (shared/contracts/loop.py): each step type has its own, named after it."""
        return [self.assignment_signed, self.completion_requested, self.completion_verified, self.completion_returned,
                self.assignment_reopened]

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

    def for_alert_event(self, event_type: str) -> str:
        """An alert event's topic: each type has its own, named after it."""
        return {"alert-raised": self.alert_raised, "alert-severity-changed": self.alert_severity_changed,
                "alert-cleared": self.alert_cleared}[event_type]

    def all(self) -> list[str]:
        return [self.measure_created, self.progress_reported, self.progress_withdrawn, self.registry_published,
                *self.loop(), self.assignment_updated, self.dead_letter, self.alert_raised, self.alert_severity_changed,
                self.alert_cleared]
