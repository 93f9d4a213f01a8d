"""intake with a clients file, against the real broker: a token names the client, the client's region bounds what
it may publish, and what it may not publish never reaches Kafka."""

import pytest

from shared.web.clients import new_token
from tests.integration.intake.test_ledger_import import workbook
from tests.support.intake import clients_file, running_intake, topic
from tests.support.kafka import body, read_topic
from tests.support.samples import REPORT

CITY, LINCHUAN = new_token(), new_token()


@pytest.fixture
async def intake(settings_values, tmp_path):
    clients = clients_file(tmp_path / "clients.yaml", [("fuzhou-office", "抚州市依法治市办", "361000", CITY),
                                                        ("linchuan-zwfw", "临川区政务服务平台", "361002", LINCHUAN)])
    async with running_intake(settings_values, sample_measures=True, clients_file=clients) as client:
        yield client


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_without_a_known_token_nothing_is_accepted_and_health_says_tokens_are_needed(intake):
    assert (await intake.get("/health")).json()["authentication"] == "bearer tokens"
    for headers in ({}, bearer("guessed"), {"Authorization": f"Basic {LINCHUAN}"}):
        refused = await intake.post("/v1/progress", json=REPORT, headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
    assert (await intake.get("/v1/ledgers/template.xlsx")).status_code == 401


async def test_a_client_publishes_for_its_region_and_below_named_in_the_events_source(intake, settings_values):
    township = {**REPORT, "unit": "临川演示镇政府", "region_code": "361002101"}
    elsewhere = {**REPORT, "unit": "东乡区政府", "region_code": "361003"}
    accepted = [await intake.post("/v1/progress", json=r, headers=bearer(LINCHUAN)) for r in (REPORT, township)]
    assert [r.status_code for r in accepted] == [202, 202]
    refused = await intake.post("/v1/progress", json=elsewhere, headers=bearer(LINCHUAN))
    assert refused.status_code == 403 and refused.json()["type"].endswith("outside-region")
    assert "361003" in refused.json()["detail"]
    by_city = await intake.post("/v1/progress", json=elsewhere, headers=bearer(CITY))
    assert by_city.status_code == 202

    records = await read_topic(settings_values["kafka_bootstrap_servers"],
                               topic(settings_values, "progress-reported"), expected=3)
    assert {(body(r)["id"], body(r)["source"]) for r in records if body(r)["data"]["region_code"] != "361003"} == {
        (r.json()["event_id"], "/duban/intake/clients/linchuan-zwfw") for r in accepted}
    assert [body(r)["source"] for r in records if body(r)["data"]["region_code"] == "361003"] == [
        "/duban/intake/clients/fuzhou-office"]


async def test_only_a_client_acting_for_every_region_may_replace_the_registry(intake):
    registry = {"regions": [
        {"code": "361000", "name": "抚州市", "level": "city", "units": []},
        {"code": "361002", "name": "临川区", "level": "county", "parent_code": "361000", "units": []}]}
    assert (await intake.post("/v1/registry", json=registry, headers=bearer(LINCHUAN))).status_code == 403
    assert (await intake.post("/v1/registry", json=registry, headers=bearer(CITY))).status_code == 202


async def test_ledger_rows_outside_the_clients_region_are_rejected_by_row_and_the_rest_go_through(intake):
    ledger = workbook(
        ["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", "", 96.5],
        ["fuzhou-2022-17", "东乡区政府", "361003", "2026-Q3", 60, "进行中", "", 90],
        ["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 140, "进行中", "", None],
    )
    answer = (await intake.post("/v1/ledgers:import", files={"file": ("台账.xlsx", ledger)},
                                headers=bearer(LINCHUAN))).json()
    assert [row["row"] for row in answer["accepted"]] == [2]
    assert [row["row"] for row in answer["rejected"]] == [3, 4]
    assert "outside 临川区政务服务平台's region 361002" in answer["rejected"][0]["reason"]


async def test_a_client_past_its_rate_gets_429_with_retry_after_and_publishes_nothing_more(
        settings_values, tmp_path):
    clients = clients_file(tmp_path / "clients.yaml", [("fuzhou-office", "fuzhou-office", "361000", CITY),
                                                        ("linchuan-zwfw", "linchuan-zwfw", "361002", LINCHUAN)])
    async with running_intake(settings_values, sample_measures=True, clients_file=clients,
                              rate_limit="3/minute") as intake:
        answers = [await intake.post("/v1/progress", json={**REPORT, "percent_complete": n}, headers=bearer(LINCHUAN))
                   for n in range(4)]
        by_city = await intake.post("/v1/progress", json=REPORT, headers=bearer(CITY))
    assert [answer.status_code for answer in answers] == [202, 202, 202, 429]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "/problems/rate-limited" and 1 <= int(refused.headers["retry-after"]) <= 60
    assert LINCHUAN not in refused.text
    assert by_city.status_code == 202  # another client's rate is its own
    records = await read_topic(settings_values["kafka_bootstrap_servers"],
                               topic(settings_values, "progress-reported"), expected=5, timeout_ms=3_000)
    assert sorted(body(r)["data"]["percent_complete"] for r in records
                  if body(r)["source"].endswith("linchuan-zwfw")) == [0, 1, 2]


async def test_a_token_is_never_echoed_in_an_answer(intake):
    guessed = new_token()
    for headers in (bearer(guessed), {"Authorization": f"Basic {guessed}"}, {"Authorization": guessed}):
        refused = await intake.post("/v1/progress", json=REPORT, headers=headers)
        assert refused.status_code == 401
        assert guessed not in refused.text and guessed not in str(refused.headers)
    accepted = await intake.post("/v1/progress", json=REPORT, headers=bearer(LINCHUAN))
    assert accepted.status_code == 202 and LINCHUAN not in accepted.text and LINCHUAN not in str(accepted.headers)
