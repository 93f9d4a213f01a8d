"""CloudEvents 1.0: the envelope of every event on every topic.

duban publishes in structured JSON mode; it reads structured and binary mode (shared/kafka/consuming.py maps a Kafka
record to the attributes below). Two attributes are read the way the CloudEvents specifications allow, not only
the way duban writes them:

- `datacontenttype` is any JSON media type, with parameters (`application/json; charset=utf-8`,
  `application/cloudevents+json`, any `*/*+json`, `text/json`): the JSON event format (§3.1) reads the data of
  every such type as JSON. A non-JSON type (`text/plain`, `application/xml`, …) is refused even when the data
  parses as JSON: the producer says the data is something else, and guessing could misread it.
- `time` is optional in CloudEvents. An event without it (or with `null`) takes the time of the Kafka record
  that carried it (its timestamp, UTC), passed as the validation context `record_time`. One record has one
  timestamp, so every delivery and every rebuild of that record gives the event the same content; a replayed
  dead letter is published with its original record's timestamp for the same reason (cli/dead_letter_replay.py).
  An event built without either (CloudEvent.wrap, intake) takes the current time.
- `data_base64` (JSON event format §3.1.1: the data as base64 bytes, in place of `data`) is decoded, then read
  as JSON text in the charset its `datacontenttype` names (UTF-8 by default, a leading BOM dropped): the same
  data as the `data` attribute would carry.
"""

import base64
import binascii
import codecs
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

DataT = TypeVar("DataT", bound=BaseModel)
RECORD_TIME = "record_time"  # the validation context's key for the carrying record's time

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]

# RFC 9110 §8.3.1: type "/" subtype *( OWS ";" OWS parameter ), case-insensitive.
MEDIA_TYPE = re.compile(r"^\s*([!#$%&'*+.^_`|~0-9a-z-]+)/([!#$%&'*+.^_`|~0-9a-z-]+)\s*(;.*)?$", re.IGNORECASE)


def is_json_media_type(media_type: str) -> bool:
    """Whether a media type's data are JSON: application/json, text/json or any `+json` structured suffix,
    whatever its parameters (`application/json; charset=utf-8` is JSON)."""
    match = MEDIA_TYPE.match(media_type)
    if not match:
        return False
    kind, subtype = match.group(1).lower(), match.group(2).lower()
    return subtype == "json" and kind in ("application", "text") or subtype.endswith("+json")


CHARSET = re.compile(r';\s*charset\s*=\s*"?([^";\s]+)"?', re.IGNORECASE)


def text_of(payload: bytes, media_type: str | None) -> str:
    """The text of JSON bytes in the charset the media type names (`…; charset=GBK`), UTF-8 when it names
    none (RFC 8259 §8.1); a leading byte order mark is dropped (RFC 8259 §8.1 lets a parser ignore it).

    Raises ValueError when the charset is unknown or the bytes are not text in it."""
    named = CHARSET.search(media_type or "")
    charset = named.group(1) if named else "utf-8"
    try:
        codec = codecs.lookup(charset)
    except LookupError as error:
        raise ValueError(f"charset {charset!r} of {media_type!r} is not a known character encoding") from error
    if codec.name == "utf-8":
        codec = codecs.lookup("utf-8-sig")
    try:
        return codec.decode(payload)[0].removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise ValueError(f"the data are not {charset} text: {error}") from error


def json_media_type(value: str) -> str:
    if not is_json_media_type(value):
        raise ValueError(f"datacontenttype {value!r} is not a JSON media type (application/json, text/json or "
                         "*/*+json, with any parameters): duban reads event data as JSON only")
    return value


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
    datacontenttype: Annotated[str, AfterValidator(json_media_type)] = "application/json"
    subject: str | None = None
    data: DataT

    @model_validator(mode="before")
    @classmethod
    def time_of_the_record(cls, envelope: Any, info: ValidationInfo) -> Any:
        """An absent or null `time` becomes the carrying record's time, when the caller passes one."""
        record_time = (info.context or {}).get(RECORD_TIME)
        if isinstance(envelope, dict) and envelope.get("time") is None and record_time is not None:
            return {**envelope, "time": record_time}
        return envelope

    @model_validator(mode="before")
    @classmethod
    def data_of_base64(cls, envelope: Any) -> Any:
        """`data_base64` in place of `data` becomes `data`: base64 bytes, read as JSON in their charset."""
        if not isinstance(envelope, dict) or "data_base64" not in envelope or "data" in envelope:
            return envelope
        media_type = envelope.get("datacontenttype") or "application/json"
        if not isinstance(media_type, str) or not is_json_media_type(media_type):
            return envelope  # `datacontenttype` is refused with its own reason
        encoded = envelope["data_base64"]
        if not isinstance(encoded, str):
            raise ValueError("data_base64 must be a base64 string (CloudEvents JSON event format §3.1.1)")
        try:
            data = json.loads(text_of(base64.b64decode(encoded, validate=True), media_type))
        except (binascii.Error, ValueError) as error:
            raise ValueError(f"data_base64 is not base64 of JSON in {media_type!r}: {error}") from error
        return {key: value for key, value in envelope.items() if key != "data_base64"} | {"data": data}

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
