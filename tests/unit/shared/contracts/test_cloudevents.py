"""The envelope read the ways the CloudEvents specifications allow: JSON media types with parameters, no time."""

import base64
import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.contracts import ProgressReport, ProgressReported
from shared.contracts.cloudevents import RECORD_TIME, is_json_media_type
from tests.support.samples import REPORT

RECORD_AT = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)


def envelope(**attributes) -> dict:
    event = ProgressReported.wrap(ProgressReport(**REPORT), source="/test").model_dump(mode="json")
    return {key: value for key, value in {**event, **attributes}.items() if value is not ...}


@pytest.mark.parametrize("media_type", [
    "application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
    "application/cloudevents+json", "application/vnd.gov.report+json; version=2", "text/json",
])
def test_every_json_media_type_with_any_parameters_is_json(media_type):
    assert is_json_media_type(media_type)
    event = ProgressReported.model_validate_json(json.dumps(envelope(datacontenttype=media_type)))
    assert event.datacontenttype == media_type  # kept as sent: the same event, whoever re-reads it


@pytest.mark.parametrize("media_type", ["text/plain", "application/xml", "application/jsonl", "json", ""])
def test_a_non_json_datacontenttype_is_refused_even_when_the_data_is_json(media_type):
    assert not is_json_media_type(media_type)
    with pytest.raises(ValidationError, match="is not a JSON media type"):
        ProgressReported.model_validate_json(json.dumps(envelope(datacontenttype=media_type)))


@pytest.mark.parametrize("time", [..., None])
def test_an_event_without_time_takes_the_record_time_and_every_reading_gives_the_same(time):
    value = json.dumps(envelope(time=time))
    first, again = (ProgressReported.model_validate_json(value, context={RECORD_TIME: RECORD_AT}) for _ in "ab")
    assert first.time == RECORD_AT and first == again


def test_a_time_the_event_carries_wins_over_the_record_time():
    event = ProgressReported.model_validate_json(json.dumps(envelope(time="2026-10-01T00:00:00+08:00")),
                                                 context={RECORD_TIME: RECORD_AT})
    assert event.time == datetime(2026, 9, 30, 16, tzinfo=UTC)


def test_without_a_record_time_an_absent_time_is_refused():
    with pytest.raises(ValidationError, match="time"):
        ProgressReported.model_validate_json(json.dumps(envelope(time=...)))


@pytest.mark.parametrize("media_type", [..., "application/json", "application/vnd.duban.progress+json"])
def test_data_base64_is_the_data_as_base64_json(media_type):
    carried = envelope(data=..., datacontenttype=media_type,
                       data_base64=base64.b64encode(json.dumps(REPORT, ensure_ascii=False).encode()).decode())
    event = ProgressReported.model_validate_json(json.dumps(carried))
    assert event.data == ProgressReport(**REPORT) and "data_base64" not in (event.model_extra or {})


@pytest.mark.parametrize(("data_base64", "reason"), [
    ("not base64!", "is not base64 of JSON"),
    (base64.b64encode(b"<report/>").decode(), "is not base64 of JSON"),
    (42, "must be a base64 string"),
])
def test_data_base64_that_is_not_base64_json_is_refused(data_base64, reason):
    with pytest.raises(ValidationError, match=reason):
        ProgressReported.model_validate_json(json.dumps(envelope(data=..., data_base64=data_base64)))


def test_data_base64_of_a_non_json_media_type_is_refused_for_its_media_type():
    carried = envelope(data=..., datacontenttype="text/plain", data_base64=base64.b64encode(b"{}").decode())
    with pytest.raises(ValidationError, match="is not a JSON media type"):
        ProgressReported.model_validate_json(json.dumps(carried))
