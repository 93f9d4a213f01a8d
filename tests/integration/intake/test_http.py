"""intake against the real broker: what it accepts reaches Kafka as CloudEvents, what it refuses does not."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.support.apps import running
from tests.support.intake import running_intake
from tests.support.kafka import body, headers, read_topic
from tests.support.samples import REPORT


@pytest.fixture
async def intake(settings_values):
    async with running_intake(settings_values, sample_measures=True) as client:
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
        ready = await client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "/problems/broker-unavailable"
    assert ready.status_code == 503 and ready.headers["content-type"] == "application/problem+json"
    assert ready.json()["checks"]["kafka"]["state"] == "unreachable"
    assert ready.json()["checks"]["database"] == {"ready": True, "state": "reachable"}


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


@pytest.mark.parametrize(("change", "field"), [
    ({"reported_at": "9999-12-31T23:59:59+08:00"}, "reported_at"),
    ({"reported_at": "0001-01-01T00:00:00Z"}, "reported_at"),
    ({"period": "2099-Q1"}, "period"),
    ({"measure_id": "fuzhou-2022-999"}, "measure_id"),
])
async def test_a_report_outside_the_window_or_on_an_unknown_measure_is_refused_naming_the_field(
        intake, change, field):
    refused = await intake.post("/v1/progress", json={**REPORT, **change})

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in refused.json()["errors"]] == [field]


async def test_with_a_registry_a_report_naming_no_unit_of_its_region_is_refused(intake):
    registry = (Path(__file__).parents[3] / "deploy" / "demo" / "registry.yaml").read_bytes()
    published = await intake.post("/v1/registry", files={"file": ("registry.yaml", registry)})
    assert published.status_code == 202, published.text

    assert (await intake.post("/v1/progress", json=REPORT)).status_code == 202
    for unit, region_code in [("临川区政付", "361002"), ("东乡区政府", "361002"), ("临川区政府", "361003")]:
        refused = await intake.post("/v1/progress", json={**REPORT, "unit": unit, "region_code": region_code})
        assert refused.status_code == 422, unit
        assert refused.json()["type"] == "/problems/unknown-unit"
        assert refused.json()["errors"][0]["field"] == "unit"
    not_assigned = await intake.post("/v1/progress", json={**REPORT, "unit": "临川区司法局"})
    assert not_assigned.status_code == 422 and not_assigned.json()["type"] == "/problems/unit-not-assigned"
    assert "361002.government" in not_assigned.json()["errors"][0]["assigned_units"]


async def test_oversized_and_non_finite_input_is_refused_before_kafka_sees_it(intake):
    too_large = await intake.post("/v1/progress", json={**REPORT, "narrative": "进" * 400_000})
    too_long = await intake.post("/v1/progress", json={**REPORT, "narrative": "进" * 30_000})
    not_a_number = await intake.post("/v1/progress", content=json.dumps(
        {**REPORT, "indicator_values": {"出庭应诉率": float("nan")}}).encode(),
        headers={"content-type": "application/json"})

    assert too_large.status_code == 413 and too_large.json()["type"] == "/problems/body-too-large"
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "narrative"
    assert not_a_number.status_code == 422


async def test_a_ledger_row_outside_the_window_or_on_an_unknown_measure_is_rejected_with_its_reason(intake):
    from tests.integration.intake.test_ledger_import import workbook

    headers = ["措施编号", "单位", "区划代码", "周期", "完成百分比", "状态", "填报时间"]
    ledger = workbook(
        ["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", datetime(2026, 10, 8, 9, 30)],
        ["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", datetime(9999, 12, 31, 9, 30)],
        ["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", datetime(2021, 6, 1, 9, 30)],
        ["fuzhou-2022-999", "临川区政府", "361002", "2026-Q3", 80, "进行中", datetime(2026, 10, 8, 9, 30)],
        headers=headers)
    answer = (await intake.post("/v1/ledgers:import", files={"file": ("台账.xlsx", ledger)})).json()

    assert [row["row"] for row in answer["accepted"]] == [2]
    reasons = {row["row"]: row["reason"] for row in answer["rejected"]}
    # The ledger reader's own check of a 填报时间, then the reporting window's.
    assert "in the future" in reasons[3] and "早于方案开始时间" in reasons[4]
    assert "no measure 'fuzhou-2022-999'" in reasons[5]


async def test_a_registry_on_its_topic_is_known_to_an_intake_that_did_not_publish_it(settings_values):
    from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
    from shared.contracts import RegistryPublished
    from tests.support.intake import publish_sample_measures
    from tests.support.streams import produce

    await publish_sample_measures(settings_values)
    registry = RegistryPublished.wrap(load_registry(DEMO_REGISTRY), source="/another-intake")
    await produce(settings_values["kafka_bootstrap_servers"], f"{settings_values['topic_prefix']}registry-published",
                  [registry], lambda event: "registry")
    async with running_intake(settings_values) as intake:  # as after a restart: nothing published by this one
        refused = await intake.post("/v1/progress", json={**REPORT, "unit": "临川区政付"})
        accepted = await intake.post("/v1/progress", json=REPORT)

    assert refused.status_code == 422 and refused.json()["type"] == "/problems/unknown-unit"
    assert accepted.status_code == 202
