"""assignment-light-changed: the light (亮灯) of one assignment turning green, yellow or red, once per change.

The alerts service judges the light from its own judgements of the assignment (the rule, with its reasons, lives
in services/alerts/domain/lights.py) and publishes it through its outbox when it differs from the light it last
published:

- the Kafka key is the assignment key `measure_id|unit` (the key of its reports and of assignment-updated), so one
  assignment's light changes stay in order on one partition;
- the event id is `<key>#light-<n>` for the assignment's n-th change (from 1), stable across re-publication:
  consumers drop repeats by id, and the highest n is the current light;
- `previous` is null for the assignment's first light; `reasons` are the alert kinds behind a yellow or red light
  (`overdue`, `due_soon`, `lagging`, `silent`, `unsigned`, `awaiting_verification`: every open alert of the
  assignment, a critical one among them for a red light that is neither overdue nor returned twice),
  `returned_twice` for a completion returned twice or more, `closed_out` for a green closed-out assignment; an
  on-track green has none.
"""

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from shared.contracts.cloudevents import CloudEvent, ContractModel, field_is
from shared.contracts.measures import Identifier, Name, RegionCode

Light = Literal["green", "yellow", "red"]
LightReason = Literal["overdue", "due_soon", "lagging", "silent", "unsigned", "awaiting_verification",
                      "returned_twice", "closed_out"]


class AssignmentLight(ContractModel):
    measure_id: Identifier
    unit: Name = Field(description="the assigned unit, as the tracker keys it")
    region_code: RegionCode = Field(description="the assigned unit's region (GB/T 2260)")
    light: Light
    previous: Light | None = Field(description="the light before this change; null for the assignment's first")
    reasons: list[LightReason] = Field(description="why the light is what it is; empty for an on-track green")
    judged_on: date = Field(description="the day the light was judged for")
    changed_at: AwareDatetime = Field(description="when the alerts service judged the change")

    @property
    def key(self) -> str:
        return f"{self.measure_id}|{self.unit}"


class AssignmentLightChanged(CloudEvent[AssignmentLight]):
    type: str = field_is("assignment-light-changed")
