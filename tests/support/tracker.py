"""The tracker's use cases on a test's database, with every store they need (as services/tracker/main.py wires
them, without a publisher: what they write stays in the outbox)."""

from pymongo.asynchronous.database import AsyncDatabase

from services.tracker.storage.loop import LoopSteps
from services.tracker.storage.repository import TrackerRepository
from services.tracker.storage.states import AssignmentStates
from services.tracker.usecases.context import Tracker


def tracker_use_cases(database: AsyncDatabase) -> Tracker:
    return Tracker(TrackerRepository(database), AssignmentStates(database), LoopSteps(database))
