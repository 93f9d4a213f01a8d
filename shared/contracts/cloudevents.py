"""CloudEvents 1.0 in structured JSON mode: the envelope of every event on every topic."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

DataT = TypeVar("DataT", bound=BaseModel)

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


class ContractModel(BaseModel):
    """Event data: unknown fields are refused, so a typo never silently drops a figure."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CloudEvent(BaseModel, Generic[DataT]):
    # Extension attributes (traceparent, …) are legal CloudEvents and pass through untouched.
    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: NonEmpty
    source: NonEmpty
    type: str
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    subject: str | None = None
    data: DataT

    @classmethod
    def wrap(cls, data: DataT, *, source: str, event_id: str | None = None, subject: str | None = None):
        return cls(
            id=event_id or new_event_id(),
            source=source,
            time=datetime.now(UTC),
            subject=subject,
            data=data,
        )


def new_event_id() -> str:
    return str(uuid.uuid4())


def field_is(name: str):
    """A `type` field fixed to one event type, so a message on the wrong topic is refused."""
    return Field(default=name, pattern=f"^{name}$")
