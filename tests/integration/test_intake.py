"""intake against the real broker: what it accepts reaches Kafka as CloudEvents, what it refuses does not."""

import pytest

from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.support.apps import running
from tests.support.kafka import body, headers, read_topic
from tests.support.samples import REPORT
from tests.support.waiting import eventually


@pytest.fixture
async def intake(settings_values):
    app = create_app(IntakeSettings(**settings_values))
    async with running(app) as client:
        async def connected():
            return (await client.get("/health")).json()["kafka"] == "connected"

        await eventually(connected)
        yield client


async def test_an_accepted_report_is_on_the_topic_as_a_cloudevent_keyed_by_assignment(intake, settings_values):
    response = await intake.post("/v1/progress", json=REPORT)

    assert response.status_code == 202
    event_id = response.json()["event_id"]
    [record] = await read_topic(settings_values["kafka_bootstrap_servers"],
                                f"{settings_values['topic_prefix']}progress-reported", expected=1)
    event = body(record)
    assert event["id"] == event_id
    assert (event["specversion"], event["type"], event["source"]) == ("1.0", "progress-reported", "/duban/intake")
    assert event["data"]["percent_complete"] == 80 and event["data"]["unit"] == "临川区政府"
    assert record.key == "fuzhou-2022-17|临川区政府".encode()
    assert headers(record)["content-type"].startswith("application/cloudevents+json")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**REPORT, "percent_complete": "80"}, "percent_complete"),
        ({**REPORT, "colour": "red"}, "colour"),
        ({key: value for key, value in REPORT.items() if key != "unit"}, "unit"),
    ],
)
async def test_invalid_input_gets_a_problem_document_naming_the_field_and_nothing_is_published(
    intake, settings_values, payload, field
):
    refused = await intake.post("/v1/progress", json=payload)
    accepted = await intake.post("/v1/progress", json=REPORT)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["status"] == 422 and problem["instance"] == "/v1/progress"
    assert field in [error["field"] for error in problem["errors"]]
    records = await read_topic(settings_values["kafka_bootstrap_servers"],
                               f"{settings_values['topic_prefix']}progress-reported", expected=1)
    assert [body(r)["id"] for r in records] == [accepted.json()["event_id"]]


async def test_malformed_json_is_a_problem_not_a_crash(intake):
    response = await intake.post("/v1/measures", content=b'{"measure_id": ',
                                 headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "json_invalid"


async def test_with_kafka_unreachable_intake_answers_503_with_retry_after(settings_values):
    from deploy.local.processes import free_port

    unreachable = {**settings_values, "kafka_bootstrap_servers": f"127.0.0.1:{free_port()}"}
    async with running(create_app(IntakeSettings(**unreachable))) as client:
        response = await client.post("/v1/progress", json=REPORT)
        health = (await client.get("/health")).json()

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "/problems/broker-unavailable"
    assert health == {"service": "intake", "status": "degraded", "kafka": "unreachable", "authentication": "open"}


async def test_a_retried_call_with_the_same_idempotency_key_gets_the_first_event_id(intake, settings_values):
    first = await intake.post("/v1/progress", json=REPORT, headers={"Idempotency-Key": "ledger-row-17"})
    retry = await intake.post("/v1/progress", json=REPORT, headers={"Idempotency-Key": "ledger-row-17"})
    other = await intake.post("/v1/progress", json=REPORT, headers={"Idempotency-Key": "ledger-row-18"})

    assert first.status_code == retry.status_code == other.status_code == 202
    assert retry.json()["event_id"] == first.json()["event_id"] != other.json()["event_id"]
    records = await read_topic(settings_values["kafka_bootstrap_servers"],
                               f"{settings_values['topic_prefix']}progress-reported", expected=3)
    # The retry is published again under the same id (the tracker keeps one), in case the first never got there.
    assert sorted(body(r)["id"] for r in records) == sorted(
        [first.json()["event_id"]] * 2 + [other.json()["event_id"]])


async def test_an_idempotency_key_reused_with_another_body_is_refused(intake):
    await intake.post("/v1/progress", json=REPORT, headers={"Idempotency-Key": "k1"})
    changed = await intake.post("/v1/progress", json={**REPORT, "percent_complete": 90},
                                headers={"Idempotency-Key": "k1"})

    assert changed.status_code == 422
    assert changed.json()["type"] == "/problems/idempotency-key-reused"
