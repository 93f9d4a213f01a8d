"""assignment-updated: the tracker's current state of one assignment (a measure's unit), published once per change.

The tracker owns the assignments (a measure's lead and responsible units, resolved against the registry) and
decides which report is current; every other service learns both from this event only. Each event carries the
whole current state, not a difference, so a consumer keeps the latest and needs nothing else:

- the Kafka key is the assignment key `measure_id|unit` (the key of the assignment's progress reports), so one
  assignment's events stay in order on one partition;
- `revision` counts the assignment's changes from 1; a consumer keeps the state with the highest revision and
  drops older or repeated ones (the event id, `<key>#<revision>`, is stable across re-publication);
- `assigned` is false for a unit that reported without being named in the measure (a collective unit's member:
  its reports still count) and for a unit no longer named; `removed` is true once the unit is neither named nor
  has a counted report (the consumer forgets the assignment).

Written with the state change through the tracker's outbox, so it goes out at least once per change, with the
same id each time (services/tracker/storage).
"""

from typing import Literal

from pydantic import AwareDatetime, Field

from shared.contracts.cloudevents import CloudEvent, ContractModel, NonEmpty, field_is
from shared.contracts.evidence import EvidenceReference
from shared.contracts.loop import LoopState
from shared.contracts.measures import Figure, Identifier, LongText, Name, RegionCode
from shared.contracts.progress import AssignmentStatus, Period


class AssignmentState(ContractModel):
    measure_id: Identifier
    unit: Name = Field(description="the unit's registry id (or the name as written, where the registry has none)")
    unit_name: Name
    role: Literal["lead", "responsible"] | None = Field(description="None: not named in the measure")
    region_code: RegionCode = Field(description="the unit's own region once it has reported; the issuing region "
                                                "until then")
    assigned: bool = True
    removed: bool = False
    revision: int = Field(ge=1)
    status: AssignmentStatus = AssignmentStatus.NOT_STARTED
    percent_complete: float = Field(0, ge=0, le=100)
    period: Period | None = Field(None, description="the current report's period")
    reported_at: AwareDatetime | None = None
    completed_at: AwareDatetime | None = None
    narrative: LongText = ""
    indicator_values: dict[Name, Figure] = Field(default_factory=dict)
    evidence: list[str] = Field(default_factory=list)
    evidence_files: list[EvidenceReference] = Field(
        default_factory=list, exclude_if=lambda files: not files,
        description="the files of the current report and of the latest counted completion request, each once; "
                    "absent: none (as in states published before it existed)")
    report_event_id: NonEmpty | None = Field(None, description="the event id of the current progress-reported")
    periods_reported: list[Period] = Field(
        default_factory=list, description="every period with a counted report, sorted (the reporting rate's base)")
    # The supervision loop (shared/contracts/loop.py), as the tracker decides it from the loop's steps.
    loop_state: LoopState = LoopState.ASSIGNED
    signed_at: AwareDatetime | None = None
    completion_requested_at: AwareDatetime | None = Field(
        None, description="the time of the completion request waiting for verification, or of the one verified")
    closed_out_at: AwareDatetime | None = None
    returned_count: int = Field(0, ge=0, description="completion requests returned to the unit, in all")

    @property
    def key(self) -> str:
        return f"{self.measure_id}|{self.unit}"


class AssignmentUpdated(CloudEvent[AssignmentState]):
    type: str = field_is("assignment-updated")
