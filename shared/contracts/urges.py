"""assignment-urged: the supervising office urged an open alert's unit by hand (督办催办, `POST /v1/alerts/{key}:urge`
at the alerts service), once per urge accepted.

The alerts service records the urge with its event in one write (its outbox: services/alerts/storage/repository.py)
and publishes it from there, so an urge accepted is published even when Kafka was away at the time:

- the Kafka key is the assignment key `measure_id|unit` (the key of its reports, loop steps and light), so one
  assignment's urges stay in order on one partition;
- the event id is `<episode>.urge-<China day>-<digest of by and comment>`: the same person urging the same alert
  episode with the same words on the same China day is one urge (a retried request is not a second one, and each
  channel is reminded at most once a day anyway); consumers drop repeats by id;
- `queued` are the notification channels the urge was queued for, `already_notified` those that had reminded the unit
  of this alert that China day already (the urge adds nothing there).
"""

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from shared.contracts.alerts import AlertKind
from shared.contracts.cloudevents import CloudEvent, ContractModel, NonEmpty, field_is
from shared.contracts.measures import RegionCode

Comment = Annotated[str, StringConstraints(max_length=500)]


class AssignmentUrge(ContractModel):
    alert_key: NonEmpty = Field(description="the urged alert's key (kind, measure, unit, subject)")
    alert_kind: AlertKind
    episode: NonEmpty = Field(description="the alert's episode (its opening) the urge was sent in")
    measure_id: NonEmpty
    unit: NonEmpty = Field(description="the alert's unit, as the tracker keys it")
    region_code: RegionCode = Field(description="the unit's region (GB/T 2260)")
    by: NonEmpty | None = Field(description="who urged: the person named, else the calling client's name; null "
                                            "when neither (no clients file)")
    comment: Comment | None = Field(description="督办意见, as written")
    urged_at: AwareDatetime
    day: date = Field(description="the China day of the urge (a channel is reminded once per alert and day)")
    queued: list[NonEmpty] = Field(description="ids of the channels the urge was queued for")
    already_notified: list[NonEmpty] = Field(description="ids of the channels that had reminded the unit that day")

    @property
    def key(self) -> str:
        return f"{self.measure_id}|{self.unit}"


class AssignmentUrged(CloudEvent[AssignmentUrge]):
    type: str = field_is("assignment-urged")
