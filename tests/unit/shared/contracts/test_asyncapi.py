"""The AsyncAPI document is valid AsyncAPI 3.0 (the official JSON Schema), covers every topic, and its payload
schemas are the contract models': they accept the events duban builds and refuse what the models refuse."""

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from shared.contracts import AlertNotice, AlertRaised, ProgressReport, ProgressReported, Topics
from shared.contracts.asyncapi import EVENT_MODELS, asyncapi_document, event_schema

ASYNCAPI_SCHEMA = json.loads((Path(__file__).parents[3] / "data" / "asyncapi" / "3.0.0.json").read_text())
TOPICS = Topics("fuzhou-")


def document() -> dict:
    return asyncapi_document(TOPICS, "kafka-1:9092, kafka-2:9092", "1.2.3")


def asyncapi_errors(doc: dict) -> list[str]:
    return [error.message for error in Draft7Validator(ASYNCAPI_SCHEMA).iter_errors(doc)]


def progress_event(**changes) -> dict:
    report = ProgressReport(measure_id="m-1", unit="市司法局", region_code="361000", period="2026-Q3",
                            percent_complete=40.0, status="in_progress", reported_at=datetime(2026, 9, 30, tzinfo=UTC))
    event = ProgressReported.wrap(report, source="/districts/361002").model_dump(mode="json")
    event["data"].update(changes)
    return event


def alert_event() -> dict:
    notice = AlertNotice(key="overdue|m-1|u-1|", episode="e-1", kind="overdue", severity="warning", measure_id="m-1",
                         unit="u-1", unit_name="市司法局", region_code="361000", reason="逾期 3 天",
                         figures={"days_overdue": 3}, opened_at=datetime(2026, 11, 1, tzinfo=UTC), as_of="2026-11-01")
    return AlertRaised.wrap(notice, source="/duban/alerts").model_dump(mode="json")


def test_the_document_is_valid_asyncapi_3():
    assert asyncapi_errors(document()) == []


@pytest.mark.parametrize("breakage", [
    lambda doc: doc["operations"]["alerts-sends-alert-raised"].update(action="broadcast"),
    lambda doc: doc["components"]["schemas"]["ProgressReport"].update(type=5),
    lambda doc: doc["channels"]["measure-created"].update(address=42),
    lambda doc: doc.pop("info"),
])
def test_the_official_schema_refuses_a_broken_document(breakage):
    """The validation above is real: the same schema finds each of these faults."""
    doc = copy.deepcopy(document())
    breakage(doc)
    assert asyncapi_errors(doc)


def test_every_topic_is_a_channel_with_its_message_and_who_sends_and_receives_it():
    doc = document()
    assert sorted(channel["address"] for channel in doc["channels"].values()) == sorted(TOPICS.all())
    assert doc["servers"]["kafka"]["host"] == "kafka-1:9092"
    assert doc["info"]["version"] == "1.2.3"
    for name in doc["channels"]:
        actions = {operation["action"] for operation in doc["operations"].values()
                   if operation["channel"]["$ref"] == f"#/channels/{name}"}
        # every topic is written and read inside duban (reporting reads the alerts' events), but the dead letters
        assert actions == ({"send"} if name == "dead-letter" else {"send", "receive"})
    for event_type, model in EVENT_MODELS.items():
        message = doc["components"]["messages"][event_type]
        assert message["payload"] == {"$ref": f"#/components/schemas/{model.__name__}"}
    assert "dlq-reason" in doc["components"]["schemas"]["DeadLetterHeaders"]["required"]


def payload_validator(doc: dict, event_type: str) -> Draft202012Validator:
    """A validator of one message's payload, resolving its references inside the AsyncAPI document."""
    return Draft202012Validator({**doc, **doc["components"]["messages"][event_type]["payload"]})


@pytest.mark.parametrize(("event_type", "event"), [("progress-reported", progress_event()),
                                                   ("alert-raised", alert_event())])
def test_the_payload_schemas_accept_the_events_duban_builds(event_type, event):
    assert list(payload_validator(document(), event_type).iter_errors(event)) == []
    assert list(Draft202012Validator(event_schema(event_type)).iter_errors(event)) == []


@pytest.mark.parametrize("event", [
    progress_event(percent_complete=150),  # ge=0, le=100
    progress_event(region_code="36100"),  # GB/T 2260: 6 or 9 digits
    progress_event(status="done"),
    progress_event(percentage=40),  # unknown fields are refused
    {**progress_event(), "type": "measure-created"},  # the wrong event on this topic
])
def test_the_payload_schemas_refuse_what_the_models_refuse(event):
    with pytest.raises(ValueError):
        ProgressReported.model_validate(event)
    assert list(payload_validator(document(), "progress-reported").iter_errors(event))
    assert list(Draft202012Validator(event_schema("progress-reported")).iter_errors(event))


def test_a_downloadable_schema_names_its_dialect_and_is_a_valid_schema():
    for event_type in EVENT_MODELS:
        schema = event_schema(event_type)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
    with pytest.raises(KeyError):
        event_schema("dead-letter")
