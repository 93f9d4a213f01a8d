"""What the use cases work with: the repositories, and who to tell that events wait in the outbox."""

from collections.abc import Callable
from dataclasses import dataclass, field

from services.tracker.storage.loop import LoopSteps
from services.tracker.storage.repository import TrackerRepository
from services.tracker.storage.states import AssignmentStates


def nobody() -> None:
    """No publisher to wake (the rebuild: its outbox is never published)."""


@dataclass
class Tracker:
    repository: TrackerRepository
    states: AssignmentStates
    loops: LoopSteps
    # Called after states were written with their events: wakes the outbox publisher (usecases/publishing.py).
    states_written: Callable[[], None] = field(default=nobody)
