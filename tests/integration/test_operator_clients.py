"""The operators' routes of tracker and alerts with a clients file, against the real database and broker: they
need a client's token, and act only within the client's region; reading needs one too, and shows the client's
region only (clients of the file without `roles`: admins of their region)."""

import pytest

from services.alerts.main import create_app as create_alerts
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.registry import record_registry
from shared.contracts import RegistryPublished
from shared.web.clients import new_token, token_hash
from tests.integration import test_alerts_api
from tests.support.apps import alerts_settings, running
from tests.support.tracker import tracker_use_cases

# The alerts API test's inputs of alerts (registry with 临川区, its township and 东乡区; a late measure), in this
# test's database.
judged_state = test_alerts_api.judged_state
CITY, LINCHUAN, DONGXIANG = new_token(), new_token(), new_token()


@pytest.fixture
def clients_file(tmp_path) -> str:
    path = tmp_path / "clients.yaml"
    path.write_text("clients:\n" + "".join(
        f"  - {{id: {client_id}, name: {name}, region_code: '{region}', token_sha256: {token_hash(token)}}}\n"
        for client_id, name, region, token in [("fuzhou-office", "抚州市依法治市办", "361000", CITY),
                                               ("linchuan", "临川区依法治区办", "361002", LINCHUAN),
                                               ("dongxiang", "东乡区依法治区办", "361003", DONGXIANG)]),
        encoding="utf-8")
    return str(path)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_alerts_are_swept_acknowledged_and_subscribed_to_only_within_the_clients_region(
        settings_values, judged_state, clients_file):
    # The receiver's URL is on loopback: allow-listed (services/alerts/entrypoints/subscriptions.py).
    settings = alerts_settings(settings_values, clients_file=clients_file, webhook_allowed_networks=["127.0.0.0/8"])
    async with running(create_alerts(settings)) as alerts:
        day = {"as_of": "2026-07-15"}
        refused = await alerts.post("/v1/alerts:sweep", params=day)
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert (await alerts.post("/v1/alerts:sweep", params=day, headers=bearer(DONGXIANG))).json()["open"] == 3
        assert (await alerts.get("/v1/alerts", params=day)).status_code == 401
        assert (await alerts.get("/v1/alerts", params=day, headers=bearer(CITY))).json()["total"] == 3
        for token, region in ((LINCHUAN, "361002"), (DONGXIANG, "361003")):
            listed = (await alerts.get("/v1/alerts", params=day, headers=bearer(token))).json()["items"]
            assert all(item["region_code"].startswith(region) for item in listed)
        parent = await alerts.get("/v1/alerts", params={**day, "region_code": "361000"}, headers=bearer(LINCHUAN))
        assert parent.status_code == 403 and parent.json()["type"].endswith("outside-region")

        key = "overdue|p-1|361002.government|"
        comment = {"comment": "已督促"}
        assert (await alerts.post(f"/v1/alerts/{key}:acknowledge", json=comment)).status_code == 401
        other = await alerts.post(f"/v1/alerts/{key}:acknowledge", json=comment, headers=bearer(DONGXIANG))
        assert other.status_code == 403 and other.json()["type"].endswith("outside-region")
        own = await alerts.post(f"/v1/alerts/{key}:acknowledge", json=comment, headers=bearer(LINCHUAN))
        assert own.status_code == 200 and own.json()["acknowledgements"][0]["by"] == "临川区依法治区办"
        unknown = await alerts.post("/v1/alerts/nothing:acknowledge", json=comment, headers=bearer(CITY))
        assert unknown.status_code == 404

        subscription = {"region_code": "361002", "url": "http://127.0.0.1:9/hook"}
        assert (await alerts.post("/v1/subscriptions", json=subscription,
                                  headers=bearer(DONGXIANG))).status_code == 403
        created = await alerts.post("/v1/subscriptions", json=subscription, headers=bearer(LINCHUAN))
        assert created.status_code == 201
        path = f"/v1/subscriptions/{created.json()['id']}"
        assert (await alerts.post(f"{path}:rotate-secret", json={}, headers=bearer(DONGXIANG))).status_code == 403
        assert (await alerts.post(f"{path}:rotate-secret", json={}, headers=bearer(LINCHUAN))).status_code == 200
        assert (await alerts.delete(path, headers=bearer(DONGXIANG))).status_code == 403
        assert (await alerts.delete(path, headers=bearer(CITY))).status_code == 204


async def test_a_unit_name_is_mapped_only_by_a_client_acting_for_the_units_regions(
        settings_values, database, clients_file):
    tracker_state = tracker_use_cases(database)
    await record_registry(tracker_state, [RegistryPublished.wrap(test_alerts_api.REGISTRY, source="/test")])
    settings = TrackerSettings(**settings_values, clients_file=clients_file)
    async with running(create_tracker(settings)) as tracker:
        body = {"unit_ids": ["361002.government"]}
        assert (await tracker.put("/v1/unit-mappings/立法项目起草部门", json=body)).status_code == 401
        refused = await tracker.put("/v1/unit-mappings/立法项目起草部门", json=body, headers=bearer(DONGXIANG))
        assert refused.status_code == 403 and "361002" in refused.json()["detail"]
        mapped = await tracker.put("/v1/unit-mappings/立法项目起草部门", json=body, headers=bearer(LINCHUAN))
        assert mapped.status_code == 200 and mapped.json()["unit_ids"] == ["361002.government"]
        assert (await tracker.get("/v1/regions/361002")).status_code == 401
        assert (await tracker.get("/v1/regions/361002", headers=bearer(LINCHUAN))).status_code == 200
        assert (await tracker.get("/v1/regions/361002", headers=bearer(DONGXIANG))).status_code == 403
