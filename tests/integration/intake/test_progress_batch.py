"""intake's batch endpoint against the real broker: each report admitted on its own, the accepted ones on Kafka."""

import pytest

from services.intake.entrypoints.http.progress import MAX_BATCH_REPORTS
from tests.support.intake import running_intake
from tests.support.kafka import body, read_topic
from tests.support.samples import REPORT


@pytest.fixture
async def intake(settings_values):
    async with running_intake(settings_values, sample_measures=True) as client:
        yield client


async def test_each_report_is_accepted_or_refused_on_its_own_and_only_the_accepted_reach_kafka(
        intake, settings_values):
    reports = [
        REPORT,
        {**REPORT, "percent_complete": "80"},  # refused by the contract, as by POST /v1/progress
        {**REPORT, "measure_id": "fuzhou-2022-999"},  # refused by admission: no such measure
        [REPORT],  # not an object
        {**REPORT, "unit": "东乡区政府", "reported_at": "2026-10-09T09:30:00+08:00"},
    ]
    response = await intake.post("/v1/progress:batch", json={"reports": reports})

    assert response.status_code == 202, response.text
    outcome = response.json()
    assert (outcome["accepted"], outcome["refused"]) == (2, 3)
    assert [item["status"] for item in outcome["items"]] == [202, 422, 422, 422, 202]
    assert [item["index"] for item in outcome["items"]] == [0, 1, 2, 3, 4]
    invalid, unknown = outcome["items"][1]["problem"], outcome["items"][2]["problem"]
    assert invalid["type"] == "/problems/validation-error" and invalid["errors"][0]["field"] == "percent_complete"
    assert unknown["type"] == "/problems/unknown-measure" and unknown["errors"][0]["field"] == "measure_id"
    single = await intake.post("/v1/progress", json=reports[2])  # the same refusal as the single route's
    assert single.json()["errors"] == unknown["errors"]
    records = await read_topic(settings_values["kafka_bootstrap_servers"],
                               f"{settings_values['topic_prefix']}progress-reported", expected=2)
    accepted = [outcome["items"][i]["event_id"] for i in (0, 4)]
    assert sorted(body(r)["id"] for r in records) == sorted(accepted)


async def test_a_retried_batch_with_the_same_idempotency_key_gets_the_first_event_ids(intake):
    reports = [REPORT, {**REPORT, "unit": "东乡区政府"}]
    first = await intake.post("/v1/progress:batch", json={"reports": reports}, headers={"Idempotency-Key": "m10"})
    again = await intake.post("/v1/progress:batch", json={"reports": reports}, headers={"Idempotency-Key": "m10"})

    ids = [[item["event_id"] for item in answer.json()["items"]] for answer in (first, again)]
    assert ids[0] == ids[1] and len(set(ids[0])) == 2
    changed = await intake.post("/v1/progress:batch", json={"reports": [REPORT, {**reports[1], "percent_complete": 9}]},
                                headers={"Idempotency-Key": "m10"})
    items = changed.json()["items"]
    assert items[0]["event_id"] == ids[0][0]  # the key of item 1 promised another report: refused alone
    assert (items[1]["status"], items[1]["problem"]["type"]) == (422, "/problems/idempotency-key-reused")


@pytest.mark.parametrize("payload", [
    [REPORT], {"reports": []}, {"reports": [REPORT] * (MAX_BATCH_REPORTS + 1)}, {"reports": "many"}])
async def test_a_malformed_batch_is_one_problem_document_and_nothing_is_published(intake, payload):
    response = await intake.post("/v1/progress:batch", json=payload)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/validation-error"
