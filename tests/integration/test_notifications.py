"""Notifications end to end on the real database (and the app's real lifespan): channels added through the API,
alerts from alerts' own inputs (the registry with the units' contacts, the measures, the assignment states),
reminders and urges delivered to local receivers of the vendors' formats (tests/unit/alerts/notifications/
receivers.py), once per alert, channel and China day; the vendors' rate limits kept, their error replies judged,
nothing personal in the logs."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from pymongo import AsyncMongoClient

from services.alerts.domain.alerts import Alert
from services.alerts.main import create_app
from services.alerts.notifications.occasions import Occasion
from services.alerts.usecases.evaluate import raised_event
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.registry import record_registry
from shared.contracts import Measure, Registry, RegistryPublished
from shared.domain.calendar import today_in_china
from tests.integration import test_operator_clients
from tests.integration.test_operator_clients import DONGXIANG, LINCHUAN, bearer
from tests.support.alerts_inputs import assignment_updated, seed_inputs
from tests.support.apps import alerts_settings, running
from tests.support.tracker import tracker_use_cases
from tests.support.waiting import eventually
from tests.unit.alerts.notifications.receivers import Receiver, aliyun_app, dingtalk_app, receiving, wecom_app

MOBILE, PERSON = "13800138000", "张三"
REGISTRY = Registry.model_validate({"regions": [
    {"code": "361000", "name": "抚州市", "level": "city",
     "units": [{"unit_id": "361000.justice", "name": "市司法局", "kind": "department"}]},
    {"code": "361002", "name": "临川区", "level": "county", "parent_code": "361000",
     "units": [{"unit_id": "361002.government", "name": "临川区政府", "kind": "government",
                "contact": {"person": PERSON, "mobile": MOBILE, "wecom_userid": "zhangsan",
                            "dingtalk_userid": "ding-zs"}}]},
    {"code": "361003", "name": "东乡区", "level": "county", "parent_code": "361000",
     "units": [{"unit_id": "361003.government", "name": "东乡区政府", "kind": "government"}]},
]})
# The operator clients test's clients file (抚州市, 临川区 and 东乡区 offices), in this test's temporary folder.
clients_file = test_operator_clients.clients_file
TEMPLATES = {"SMS_0001": {"unit", "measure", "occasion", "status"}}
HOLD_OFF = 1.0  # seconds an alert must stay open before it is reminded of (600 by default)


def measures() -> list[Measure]:
    soon = today_in_china() + timedelta(days=3)
    return [
        Measure(measure_id="p-1", plan_id="p", region_code="361000", number=1, title="加强行政应诉工作",
                lead_units=["临川区政府"], start_date=datetime(2026, 1, 1).date(),
                deadlines=[{"text": "2026年6月底前", "date": "2026-06-30"}]),
        Measure(measure_id="p-2", plan_id="p", region_code="361000", number=2, title="公布权责清单",
                lead_units=["临川区政府"], start_date=datetime(2026, 1, 1).date(),
                deadlines=[{"text": f"{soon.year}年{soon.month}月{soon.day}日前", "date": soon.isoformat()}]),
    ]


@pytest.fixture
async def judged_state(settings_values):
    """alerts' inputs: the registry, the two measures and 临川区政府's assignment to each (never reported)."""
    client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    database = client[settings_values["mongodb_database"]]
    await seed_inputs(database, registry=REGISTRY, measures=measures(), assignments=[
        assignment_updated(measure, "361002.government", unit_name="临川区政府", region_code="361002")
        for measure in measures()])
    yield database
    await client.drop_database(settings_values["mongodb_database"])
    await client.close()


@pytest.fixture
def vendors():
    """The three vendors on 127.0.0.1; Aliyun's per-number flow control at 1 a minute, as Aliyun's default."""
    wecom, dingtalk, sms = Receiver(), Receiver(), Receiver(limit=1)
    with (receiving(wecom_app(wecom, "wecom-key")) as wecom_url,
          receiving(dingtalk_app(dingtalk, "ding-token", "SECding")) as dingtalk_url,
          receiving(aliyun_app(sms, "LTAI-test", "sms-secret", TEMPLATES)) as sms_url):
        yield {"wecom": (wecom, wecom_url), "dingtalk": (dingtalk, dingtalk_url), "aliyun_sms": (sms, sms_url)}


@pytest.fixture
async def alerts(settings_values, judged_state):
    settings = alerts_settings(
        settings_values, secrets_key=Fernet.generate_key().decode(), notification_plan_interval_seconds=0,
        webhook_poll_seconds=0.2, notification_first_backoff_seconds=0.3, notification_throttled_retry_seconds=1.0,
        webhook_allowed_networks=["127.0.0.0/8"],  # the vendors' stand-ins listen on loopback
        notification_hold_off_seconds=HOLD_OFF,
        # p-1 is months overdue: reminded again every 7th day by default, so on some days its SMS would take the
        # vendor's one-a-minute per number before the reminder a test waits for. Reminded on its first day only.
        notification_overdue_every_days=0)
    app = create_app(settings)
    async with running(app) as client:
        yield client, app


async def add_channels(client, vendors, region_code="361000") -> dict[str, str]:
    bodies = {
        "wecom": {"kind": "wecom", "key": "wecom-key", "endpoint": f"{vendors['wecom'][1]}/cgi-bin/webhook/send"},
        "dingtalk": {"kind": "dingtalk", "access_token": "ding-token", "secret": "SECding",
                     "endpoint": f"{vendors['dingtalk'][1]}/robot/send"},
        "aliyun_sms": {"kind": "aliyun_sms", "access_key_id": "LTAI-test", "access_key_secret": "sms-secret",
                       "sign_name": "抚州司法", "template_code": "SMS_0001",
                       "endpoint": f"{vendors['aliyun_sms'][1]}/"},
    }
    ids = {}
    for kind, body in bodies.items():
        response = await client.post("/v1/channels", json={"region_code": region_code, "name": f"{kind} 群", **body})
        assert response.status_code == 201, response.text
        assert not {"key", "secret", "access_token", "access_key_secret"} & set(response.json())
        ids[kind] = response.json()["id"]
    return ids


async def deliveries(client, channel_id: str) -> list[dict]:
    response = await client.get(f"/v1/channels/{channel_id}/deliveries")
    assert response.status_code == 200, response.text
    return response.json()


async def open_alert(client, kind: str) -> dict:
    assert (await client.post("/v1/alerts:sweep")).status_code == 200
    page = (await client.get("/v1/alerts", params={"unit": "361002.government", "kind": kind})).json()
    [found] = page["items"]
    return found


async def test_an_urge_reaches_the_units_contact_once_a_day(alerts, vendors, capfd):
    client, _ = alerts
    channels = await add_channels(client, vendors)
    overdue = await open_alert(client, "overdue")

    first = await client.post(f"/v1/alerts/{overdue['key']}:urge",
                              json={"by": "市依法治市办", "comment": "请本周内报送"})
    assert first.status_code == 202, first.text
    assert sorted(first.json()["queued"]) == sorted(channels.values()) and first.json()["already_notified"] == []
    again = await client.post(f"/v1/alerts/{overdue['key']}:urge", json={"by": "市依法治市办"})
    assert again.json()["queued"] == [] and sorted(again.json()["already_notified"]) == sorted(channels.values())

    async def all_delivered():
        return all([[d["status"] for d in await deliveries(client, c)] == ["delivered"] for c in channels.values()])
    await eventually(all_delivered, timeout=20)

    (wecom, _), (dingtalk, _), (sms, _) = vendors["wecom"], vendors["dingtalk"], vendors["aliyun_sms"]
    assert [len(v.received) for v in (wecom, dingtalk, sms)] == [1, 1, 1]
    text = wecom.received[0]["body"]["text"]
    assert text["mentioned_mobile_list"] == [MOBILE] and text["mentioned_list"] == ["zhangsan"]
    assert "【督办催办】临川区政府" in text["content"] and "加强行政应诉工作" in text["content"]
    assert "督办单位：市依法治市办，督办意见：请本周内报送" in text["content"]
    assert dingtalk.received[0]["body"]["at"]["atMobiles"] == [MOBILE]
    assert sms.received[0]["form"]["PhoneNumbers"] == MOBILE and sms.received[0]["variables"]["occasion"] == "督办催办"

    [delivery] = await deliveries(client, channels["dingtalk"])
    assert (delivery["occasion"], delivery["urged_by"], delivery["day"]) == (
        "urge", "市依法治市办", today_in_china().isoformat())
    assert [a["outcome"] for a in delivery["attempts"]] == ["delivered"] and delivery["attempts"][0]["errcode"] == 0
    urges = (await client.get(f"/v1/alerts/{overdue['key']}/urges")).json()
    assert [(u["by"], bool(u["queued"])) for u in urges] == [("市依法治市办", True), ("市依法治市办", False)]
    for unknown in ("/v1/alerts/no-such-alert/urges", "/v1/channels?region_code=999999"):
        response = await client.get(unknown)
        assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/channels?region_code=361002")).status_code == 200

    # The day's automatic reminders do not reach the units again about this alert.
    await alerts[1].state.notifier.plan(today_in_china())
    for channel_id in channels.values():
        assert [d["alert_key"] for d in await deliveries(client, channel_id)].count(overdue["key"]) == 1

    logged = capfd.readouterr().err
    assert "notification_attempted" in logged
    assert MOBILE not in logged and PERSON not in logged and "SECding" not in logged and "wecom-key" not in logged


async def test_reminders_before_a_deadline_are_planned_once_a_day(alerts, vendors):
    client, app = alerts
    channels = await add_channels(client, vendors)
    due_soon = await open_alert(client, "due_soon")
    assert due_soon["figures"]["days_left"] == 3
    assert await app.state.notifier.plan(today_in_china()) == 0  # opened just now: held off
    await asyncio.sleep(HOLD_OFF)
    assert await app.state.notifier.plan(today_in_china()) >= len(channels)
    assert await app.state.notifier.plan(today_in_china()) == 0

    async def reminded():
        return all([any(d["alert_key"] == due_soon["key"] and d["status"] == "delivered"
                        for d in await deliveries(client, c)) for c in channels.values()])
    await eventually(reminded, timeout=20)
    contents = [r["body"]["text"]["content"] for r in vendors["wecom"][0].received]
    assert sum("【临近期限提醒】临川区政府" in c and "还有 3 天到期" in c for c in contents) == 1
    # An urge the same day sends nothing more on those channels.
    urged = (await client.post(f"/v1/alerts/{due_soon['key']}:urge", json={})).json()
    assert urged["queued"] == [] and sorted(urged["already_notified"]) == sorted(channels.values())


def synthetic_alerts(count: int) -> list[dict]:
    return [{"key": f"overdue|p-{n}|361002.government|", "kind": "overdue", "severity": "warning",
             "measure_id": f"p-{n}", "unit": "361002.government", "unit_name": "临川区政府", "region_code": "361002",
             "reason": f"已超过期限 {n} 天", "figures": {"due": "2026-06-30", "days_overdue": n}}
            for n in range(count)]


async def open_in_store(app, alerts: list[dict], now: datetime) -> None:
    """Records the alerts as open, as a judgement raising them would (a notification of a closed one is withdrawn)."""
    raised = [(Alert.from_json(alert), f"episode-{n}") for n, alert in enumerate(alerts)]
    await app.state.alert_store.raise_alerts(
        [(alert, episode, raised_event(alert, episode, now, today_in_china())) for alert, episode in raised], now)


async def test_a_notification_whose_alert_closed_before_its_turn_is_withdrawn_not_sent(alerts, vendors):
    client, app = alerts
    channel = (await add_channels(client, vendors))["wecom"]
    now = datetime.now(UTC)
    closing, staying = synthetic_alerts(2)
    await open_in_store(app, [staying], now)  # `closing` was cleared by a judgement before the notifier's turn
    for alert in (closing, staying):
        await app.state.notifier.store.queue(alert, Occasion.OVERDUE, [channel], today_in_china(), now)
    app.state.notifier.wake.set()

    async def settled():
        found = {d["alert_key"]: d for d in await deliveries(client, channel)}
        return all(d["status"] != "pending" for d in found.values()) and found
    found = await eventually(settled, timeout=20)
    assert found[staying["key"]]["status"] == "delivered"
    assert found[closing["key"]]["status"] == "withdrawn"
    assert [a["outcome"] for a in found[closing["key"]]["attempts"]] == ["withdrawn"]
    sent = [r["body"]["text"]["content"] for r in vendors["wecom"][0].received]
    assert len(sent) == 1 and "已超过期限 1 天" in sent[0]


async def test_a_robot_gets_at_most_its_limit_a_window_and_its_replies_decide(alerts, vendors):
    client, app = alerts
    notifier = app.state.notifier
    # DingTalk's 20 a minute, over a 2 s window here (receiver and notifier alike), to keep the test short.
    notifier.policy = dataclasses.replace(notifier.policy, robot_window_seconds=2.0)
    dingtalk, _ = vendors["dingtalk"]
    dingtalk.window_seconds = 2.0
    channel = (await add_channels(client, vendors))["dingtalk"]
    now = datetime.now(UTC)
    await open_in_store(app, synthetic_alerts(26), now)
    for alert in synthetic_alerts(25):
        await notifier.store.queue(alert, Occasion.OVERDUE, [channel], today_in_china(), now)
    notifier.wake.set()

    async def settled():
        found = await deliveries(client, channel)
        return len(found) == 25 and all(d["status"] == "delivered" for d in found) and found
    found = await eventually(settled, timeout=30)
    assert all([a["outcome"] for a in d["attempts"]] == ["delivered"] for d in found)  # never a 130101
    arrivals = [r["at"] for r in dingtalk.received]
    assert len(arrivals) == 25 and arrivals[20] - arrivals[0] >= 1.9  # the 21st waited for the window

    # Someone else filled the robot's minute (130101), then DingTalk was busy (-1): both retried later.
    dingtalk.inject(200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
    dingtalk.inject(200, {"errcode": -1, "errmsg": "系统繁忙"})
    [late] = synthetic_alerts(26)[25:]
    await notifier.store.queue(late, Occasion.OVERDUE, [channel], today_in_china(), datetime.now(UTC))
    notifier.wake.set()

    async def retried():
        record = next((d for d in await deliveries(client, channel) if d["alert_key"] == late["key"]), None)
        return record and record["status"] == "delivered" and record
    record = await eventually(retried, timeout=20)
    assert [(a["outcome"], a["errcode"]) for a in record["attempts"]] == [
        ("throttled", 130101), ("transient", -1), ("delivered", 0)]
    assert record["attempts"][1]["at"] > record["attempts"][0]["at"]


async def test_a_failed_delivery_is_final_and_recorded(alerts, vendors):
    client, app = alerts
    response = await client.post("/v1/channels", json={
        "region_code": "361002", "name": "错误的机器人", "kind": "dingtalk", "access_token": "not-the-token",
        "secret": "SECding", "endpoint": f"{vendors['dingtalk'][1]}/robot/send"})
    channel = response.json()["id"]
    overdue = await open_alert(client, "overdue")
    assert (await client.post(f"/v1/alerts/{overdue['key']}:urge", json={})).status_code == 202

    async def failed():
        found = await deliveries(client, channel)
        return found and found[0]["status"] == "failed" and found[0]
    record = await eventually(failed, timeout=20)
    assert [(a["outcome"], a["status_code"], a["errcode"]) for a in record["attempts"]] == [("failed", 200, 300001)]
    assert vendors["dingtalk"][0].received == []


async def test_channels_are_refused_clearly(alerts, settings_values, judged_state):
    client, _ = alerts
    missing = await client.post("/v1/channels", json={"region_code": "361000", "name": "x", "kind": "fax"})
    assert missing.status_code == 422 and missing.headers["content-type"].startswith("application/problem+json")
    unknown = await client.get("/v1/channels/nope/deliveries")
    assert unknown.status_code == 404 and unknown.json()["title"] == "Channel not found"
    not_open = await client.post("/v1/alerts/overdue|nope|x|:urge", json={})
    assert not_open.status_code == 404


async def test_the_trackers_registry_view_does_not_show_contacts(settings_values, database):
    tracker_state = tracker_use_cases(database)
    await record_registry(tracker_state, [RegistryPublished.wrap(REGISTRY, source="/test")])
    async with running(create_tracker(TrackerSettings(**settings_values))) as tracker:
        region = (await tracker.get("/v1/regions/361002")).json()
    assert region["units"][0]["name"] == "临川区政府" and "contact" not in region["units"][0]
    assert MOBILE not in str(region) and PERSON not in str(region)


async def test_urging_and_adding_channels_need_a_client_of_the_region(settings_values, judged_state, clients_file):
    settings = alerts_settings(settings_values, clients_file=clients_file, secrets_key=Fernet.generate_key().decode(),
                               notification_plan_interval_seconds=0)
    async with running(create_app(settings)) as client:
        channel = {"region_code": "361002", "name": "临川群", "kind": "wecom", "key": "k"}
        assert (await client.post("/v1/channels", json=channel)).status_code == 401
        assert (await client.post("/v1/channels", json=channel, headers=bearer(DONGXIANG))).status_code == 403
        assert (await client.post("/v1/channels", json=channel, headers=bearer(LINCHUAN))).status_code == 201
        assert (await client.post("/v1/alerts:sweep", headers=bearer(LINCHUAN))).status_code == 200
        key = "overdue|p-1|361002.government|"
        assert (await client.post(f"/v1/alerts/{key}:urge", json={})).status_code == 401
        other = await client.post(f"/v1/alerts/{key}:urge", json={}, headers=bearer(DONGXIANG))
        assert other.status_code == 403 and other.json()["type"].endswith("outside-region")
        own = await client.post(f"/v1/alerts/{key}:urge", json={}, headers=bearer(LINCHUAN))
        assert own.status_code == 202 and own.json()["by"] == "临川区依法治区办" and len(own.json()["queued"]) == 1


async def test_a_channel_endpoint_on_an_internal_address_is_refused_unless_allow_listed(settings_values, judged_state):
    channel = {"region_code": "361000", "name": "内网钉钉", "kind": "dingtalk", "access_token": "t",
               "endpoint": "http://127.0.0.1:9/robot/send"}
    async with running(create_app(alerts_settings(settings_values))) as client:
        refused = await client.post("/v1/channels", json=channel)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "endpoint"
    assert "loopback" in refused.json()["detail"]
    allowing = alerts_settings(settings_values, webhook_allowed_networks=["127.0.0.0/8"])
    async with running(create_app(allowing)) as client:
        assert (await client.post("/v1/channels", json=channel)).status_code == 201
