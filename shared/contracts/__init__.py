"""The event contracts: one definition, used by every producer and every consumer."""

from shared.contracts.alerts import ALERT_EVENTS, AlertCleared, AlertNotice, AlertRaised, AlertSeverityChanged
from shared.contracts.assignments import AssignmentState, AssignmentUpdated
from shared.contracts.cloudevents import CloudEvent, new_event_id
from shared.contracts.lights import AssignmentLight, AssignmentLightChanged
from shared.contracts.loop import (
    LOOP_EVENTS,
    AssignmentReopened,
    AssignmentReopening,
    AssignmentSigned,
    AssignmentSigning,
    CompletionRequest,
    CompletionRequested,
    CompletionReturn,
    CompletionReturned,
    CompletionVerification,
    CompletionVerified,
    LoopEvent,
)
from shared.contracts.measures import Deadline, Measure, MeasureCreated, Target
from shared.contracts.progress import (
    AssignmentStatus,
    ProgressReport,
    ProgressReported,
    ProgressWithdrawal,
    ProgressWithdrawn,
)
from shared.contracts.registry import Region, Registry, RegistryPublished, Unit
from shared.contracts.topics import Topics
from shared.contracts.urges import AssignmentUrge, AssignmentUrged

__all__ = [
    "ALERT_EVENTS",
    "LOOP_EVENTS",
    "AlertCleared",
    "AlertNotice",
    "AlertRaised",
    "AlertSeverityChanged",
    "AssignmentLight",
    "AssignmentLightChanged",
    "AssignmentReopened",
    "AssignmentReopening",
    "AssignmentSigned",
    "AssignmentSigning",
    "AssignmentState",
    "AssignmentStatus",
    "AssignmentUpdated",
    "AssignmentUrge",
    "AssignmentUrged",
    "CloudEvent",
    "CompletionRequest",
    "CompletionRequested",
    "CompletionReturn",
    "CompletionReturned",
    "CompletionVerification",
    "CompletionVerified",
    "Deadline",
    "LoopEvent",
    "Measure",
    "MeasureCreated",
    "ProgressReport",
    "ProgressReported",
    "ProgressWithdrawal",
    "ProgressWithdrawn",
    "Region",
    "Registry",
    "RegistryPublished",
    "Target",
    "Topics",
    "Unit",
    "new_event_id",
]
