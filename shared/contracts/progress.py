"""progress-reported: one unit's report on one measure for one period. The last report per key wins."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from shared.contracts.cloudevents import CloudEvent, ContractModel, NonEmpty, field_is
from shared.contracts.evidence import EvidenceFiles
from shared.contracts.measures import Figure, Identifier, LongText, Name, Percent, RegionCode

# A reporting period: a year (2026), a half (2026-H1), a quarter (2026-Q3) or a month (2026-10).
Period = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$")]


class AssignmentStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    BLOCKED = "blocked"


class ProgressReport(ContractModel):
    measure_id: Identifier
    unit: Name = Field(description="the reporting unit, as named in the registry or the plan")
    region_code: RegionCode = Field(description="the region the unit belongs to (GB/T 2260)")
    period: Period
    # As the unit typed it: never recomputed or forced by the platform.
    percent_complete: Percent
    status: AssignmentStatus
    reported_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    narrative: LongText = ""
    indicator_values: dict[Name, Figure] = Field(default_factory=dict, max_length=100)
    evidence: list[Annotated[NonEmpty, StringConstraints(max_length=2048)]] = Field(
        default_factory=list, max_length=50, description="佐证材料: links or file references, as written")
    evidence_files: EvidenceFiles

    @property
    def assignment_key(self) -> str:
        """The Kafka message key: one assignment's reports share a partition, so they stay in order."""
        return f"{self.measure_id}|{self.unit}"

    @property
    def period_key(self) -> str:
        """The key under which the last report wins."""
        return f"{self.assignment_key}|{self.period}"


class ProgressReported(CloudEvent[ProgressReport]):
    type: str = field_is("progress-reported")


class ProgressWithdrawal(ContractModel):
    """An operator takes a report that should not count (a wrong figure, a time in year 9999) out of the
    current state; it stays in the history, marked withdrawn. Superseding = a withdrawal + a new report."""

    event_id: NonEmpty = Field(description="the event id of the withdrawn progress-reported")
    measure_id: Identifier
    unit: Name
    region_code: RegionCode
    period: Period
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    by: Name = Field(description="who withdrew it: the operator or client")

    @property
    def assignment_key(self) -> str:
        """Keyed like the withdrawn report, so both stay in one partition each on their topics."""
        return f"{self.measure_id}|{self.unit}"


class ProgressWithdrawn(CloudEvent[ProgressWithdrawal]):
    type: str = field_is("progress-withdrawn")
