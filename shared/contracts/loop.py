"""The supervision loop (督办闭环) of one assignment, step by step: signed for (签收), completion requested (办结申请),
verified and closed out (核查销号), returned (退回), reopened.

Each step is its own event on its own topic, keyed like the assignment's progress reports (`measure_id|unit`),
and names the assignment (measure, unit as the tracker keys it, the unit's region), who took the step (`by`: a
person, or the client when none is named) and when (`*_at`; now when not given). The event id is the
idempotency key: a step delivered twice counts once. Steps are ordered like progress reports: by their time,
ties by event id, so the tracker decides the same loop whatever order Kafka delivers them in.

Whether a step may be taken (sign twice, verify without a request, a unit verifying its own completion) is the
tracker's rule (services/tracker/domain/loop.py); the contract only says what each step carries.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from shared.contracts.cloudevents import CloudEvent, ContractModel, NonEmpty, field_is
from shared.contracts.evidence import EvidenceFiles
from shared.contracts.measures import Identifier, LongText, Name, RegionCode

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# Who checks a completion: the measure's lead unit (牵头单位), or the supervising office in scope (督查室, 依法治市办).
Verifier = Literal["lead_unit", "supervising_office"]


class LoopState(StrEnum):
    """Where an assignment stands in the loop (decided by the tracker, published in assignment-updated)."""

    ASSIGNED = "assigned"  # 交办: not signed for yet
    SIGNED = "signed"  # 签收, nothing reported yet
    IN_PROGRESS = "in_progress"  # 办理: reported on, or returned, or reopened
    COMPLETION_REQUESTED = "completion_requested"  # 办结申请 waiting for verification
    CLOSED_OUT = "closed_out"  # 销号


def now() -> datetime:
    return datetime.now(UTC)


class LoopStep(ContractModel):
    measure_id: Identifier
    unit: Name = Field(description="the assigned unit, as the tracker keys it (its registry id, or the name as "
                                   "written where the registry has none)")
    region_code: RegionCode = Field(description="the assigned unit's region (GB/T 2260)")
    by: Name = Field(description="who took the step: a person at the unit or office, or the client")

    @property
    def assignment_key(self) -> str:
        """The Kafka key: one assignment's steps share a partition on each loop topic, like its reports."""
        return f"{self.measure_id}|{self.unit}"

    @property
    def at(self) -> datetime:
        """When the step was taken (each step names its own field)."""
        raise NotImplementedError


class Verification(LoopStep):
    """A step taken by the checking side: the verifier's kind and unit (a unit never checks its own completion)."""

    verifier: Verifier
    verifier_unit: Name = Field(description="the lead unit's or the office's registry id (or name)")


class AssignmentSigning(LoopStep):
    """签收: the unit acknowledges the assignment."""

    signed_at: AwareDatetime = Field(default_factory=now)

    @property
    def at(self) -> datetime:
        return self.signed_at


class CompletionRequest(LoopStep):
    """办结申请: the unit asks for the assignment to be closed out, with what it did and its evidence (佐证材料)."""

    requested_at: AwareDatetime = Field(default_factory=now)
    narrative: LongText = Field(min_length=1)
    evidence: list[Annotated[NonEmpty, StringConstraints(max_length=2048)]] = Field(
        default_factory=list, max_length=50, description="佐证材料: links or names of the supporting files")
    evidence_files: EvidenceFiles

    @property
    def at(self) -> datetime:
        return self.requested_at


class CompletionVerification(Verification):
    """核查销号: the request checked and the assignment closed out."""

    verified_at: AwareDatetime = Field(default_factory=now)
    remark: LongText = ""

    @property
    def at(self) -> datetime:
        return self.verified_at


class CompletionReturn(Verification):
    """退回: the request sent back with the reason; the unit carries on."""

    returned_at: AwareDatetime = Field(default_factory=now)
    reason: Reason

    @property
    def at(self) -> datetime:
        return self.returned_at


class AssignmentReopening(Verification):
    """A closed-out assignment opened again (the work turned out not done), with the reason."""

    reopened_at: AwareDatetime = Field(default_factory=now)
    reason: Reason

    @property
    def at(self) -> datetime:
        return self.reopened_at


class AssignmentSigned(CloudEvent[AssignmentSigning]):
    type: str = field_is("assignment-signed")


class CompletionRequested(CloudEvent[CompletionRequest]):
    type: str = field_is("completion-requested")


class CompletionVerified(CloudEvent[CompletionVerification]):
    type: str = field_is("completion-verified")


class CompletionReturned(CloudEvent[CompletionReturn]):
    type: str = field_is("completion-returned")


class AssignmentReopened(CloudEvent[AssignmentReopening]):
    type: str = field_is("assignment-reopened")


LoopEvent = AssignmentSigned | CompletionRequested | CompletionVerified | CompletionReturned | AssignmentReopened
# event type -> its model, in the loop's order
LOOP_EVENTS: dict[str, type[CloudEvent]] = {
    "assignment-signed": AssignmentSigned,
    "completion-requested": CompletionRequested,
    "completion-verified": CompletionVerified,
    "completion-returned": CompletionReturned,
    "assignment-reopened": AssignmentReopened,
}
# The checking side's steps (核查): their data name a verifier (Verification); the supervising side takes them.
CHECKING_STEPS = ("completion-verified", "completion-returned", "assignment-reopened")
