"""Each adapter against a local receiver of its vendor's documented format: delivered, the vendor's error replies
(HTTP 200 with an error code is a failure), its rate limit, and an outage."""

import urllib.parse

import httpx
import pytest

from services.alerts.notifications.adapters.aliyun_sms import AliyunSms, percent
from services.alerts.notifications.adapters.dingtalk import DingTalkRobot
from services.alerts.notifications.adapters.wecom import WeComRobot
from services.alerts.notifications.messages import compose
from services.alerts.notifications.occasions import Occasion
from tests.unit.alerts.notifications.receivers import (
    Receiver,
    aliyun_app,
    aliyun_percent,
    dingtalk_app,
    receiving,
    wecom_app,
)

ALERT = {"key": "overdue|p-1|361002.government|", "kind": "overdue", "severity": "warning", "measure_id": "p-1",
         "unit": "361002.government", "unit_name": "临川区政府", "region_code": "361002",
         "reason": "已超过期限“2026年6月底前”(2026-06-30) 15 天，当前进度 20%",
         "figures": {"due": "2026-06-30", "days_overdue": 15, "percent_complete": 20}}
CONTACT = {"person": "张三", "mobile": "13800138000", "wecom_userid": "zhangsan", "dingtalk_userid": "ding-zs"}
MESSAGE = compose(Occasion.OVERDUE, ALERT, "加强行政应诉工作", CONTACT)


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=5) as http:
        yield http


async def test_wecom_text_mentions_the_contact_by_mobile_and_userid(client):
    receiver = Receiver()
    with receiving(wecom_app(receiver, key="robot-key")) as url:
        channel = {"endpoint": f"{url}/cgi-bin/webhook/send", "format": "text"}
        reply = await WeComRobot().send(client, channel, {"key": "robot-key"}, MESSAGE)
        assert reply.outcome == "delivered" and reply.detail["errcode"] == 0
        [body] = [r["body"] for r in receiver.received]
        assert body["msgtype"] == "text"
        assert body["text"]["mentioned_mobile_list"] == ["13800138000"]
        assert body["text"]["mentioned_list"] == ["zhangsan"]
        assert "【逾期催办】临川区政府" in body["text"]["content"] and "加强行政应诉工作" in body["text"]["content"]

        markdown = await WeComRobot().send(client, {**channel, "format": "markdown"}, {"key": "robot-key"}, MESSAGE)
        assert markdown.outcome == "delivered"
        assert receiver.received[-1]["body"]["markdown"]["content"].endswith("<@zhangsan>")


async def test_wecom_errors_in_a_200_are_failures_and_its_limit_is_throttled(client):
    receiver = Receiver(limit=2)
    with receiving(wecom_app(receiver, key="robot-key")) as url:
        channel = {"endpoint": f"{url}/cgi-bin/webhook/send", "format": "text"}
        wrong = await WeComRobot().send(client, channel, {"key": "not-the-key"}, MESSAGE)
        assert (wrong.outcome, wrong.detail["status_code"], wrong.detail["errcode"]) == ("failed", 200, 93000)
        outcomes = [(await WeComRobot().send(client, channel, {"key": "robot-key"}, MESSAGE)).outcome
                    for _ in range(3)]
        assert outcomes == ["delivered", "delivered", "throttled"]
        receiver.inject(200, {"errcode": -1, "errmsg": "system error"})
        receiver.inject(502, {"message": "bad gateway"})
        assert (await WeComRobot().send(client, channel, {"key": "robot-key"}, MESSAGE)).outcome == "transient"
        assert (await WeComRobot().send(client, channel, {"key": "robot-key"}, MESSAGE)).outcome == "transient"


async def test_dingtalk_signs_mentions_and_its_errcode_decides(client):
    receiver = Receiver(limit=2)
    credentials = {"access_token": "token-1", "secret": "SEC0123456789abcdef"}
    with receiving(dingtalk_app(receiver, "token-1", "SEC0123456789abcdef")) as url:
        channel = {"endpoint": f"{url}/robot/send", "format": "markdown"}
        reply = await DingTalkRobot().send(client, channel, credentials, MESSAGE)
        assert reply.outcome == "delivered", reply.detail
        [body] = [r["body"] for r in receiver.received]
        assert body["at"]["atMobiles"] == ["13800138000"] and body["at"]["atUserIds"] == ["ding-zs"]
        assert "@13800138000" in body["markdown"]["text"] and body["markdown"]["title"] == "【逾期催办】临川区政府"

        text = await DingTalkRobot().send(client, {**channel, "format": "text"}, credentials, MESSAGE)
        assert text.outcome == "delivered" and "@13800138000" in receiver.received[-1]["body"]["text"]["content"]
        # The robot's minute is full (2 here, 20 at DingTalk): 130101, throttled.
        too_fast = await DingTalkRobot().send(client, channel, credentials, MESSAGE)
        assert (too_fast.outcome, too_fast.detail["errcode"]) == ("throttled", 130101)

        bad_sign = await DingTalkRobot().send(client, channel, {**credentials, "secret": "SECwrong"}, MESSAGE)
        assert (bad_sign.outcome, bad_sign.detail["status_code"], bad_sign.detail["errcode"]) == ("failed", 200, 310000)
        unknown = await DingTalkRobot().send(client, channel, {**credentials, "access_token": "x"}, MESSAGE)
        assert (unknown.outcome, unknown.detail["errcode"]) == ("failed", 300001)
        receiver.inject(200, {"errcode": -1, "errmsg": "系统繁忙"})
        assert (await DingTalkRobot().send(client, channel, credentials, MESSAGE)).outcome == "transient"


def test_aliyun_percent_encoding_is_the_documented_one():
    # Both the adapter's RFC 3986 encoding and the documented Java recipe (the receiver's) agree on what matters.
    for value in ("a b*c~d", "临川区政府", '{"unit":"临川区政府"}', "2026-07-15T02:00:00Z", "+86/0086"):
        assert percent(value) == aliyun_percent(value)
    assert percent("a b") == "a%20b" and percent("~*") == "~%2A"
    assert urllib.parse.unquote(percent("临川")) == "临川"


async def test_aliyun_sms_sendsms_is_signed_and_its_codes_decide(client):
    receiver = Receiver(limit=1)
    templates = {"SMS_0001": {"unit", "measure", "occasion", "status"}}
    with receiving(aliyun_app(receiver, "LTAI-test", "secret-1", templates)) as url:
        channel = {"endpoint": f"{url}/", "options": {"sign_name": "抚州司法", "template_code": "SMS_0001"}}
        credentials = {"access_key_id": "LTAI-test", "access_key_secret": "secret-1"}
        reply = await AliyunSms().send(client, channel, credentials, MESSAGE)
        assert reply.outcome == "delivered" and reply.detail["Code"] == "OK", reply.detail
        [sent] = receiver.received
        assert sent["form"]["PhoneNumbers"] == "13800138000" and sent["form"]["SignName"] == "抚州司法"
        assert sent["variables"] == {"unit": "临川区政府", "measure": "p-1", "occasion": "逾期催办",
                                     "status": "已逾期15天"}

        # Aliyun's per-number flow control: 200 with isv.BUSINESS_LIMIT_CONTROL.
        limited = await AliyunSms().send(client, channel, credentials, MESSAGE)
        assert (limited.outcome, limited.detail["status_code"], limited.detail["Code"]) == (
            "throttled", 200, "isv.BUSINESS_LIMIT_CONTROL")
        wrong_secret = await AliyunSms().send(client, channel, {**credentials, "access_key_secret": "x"}, MESSAGE)
        assert (wrong_secret.outcome, wrong_secret.detail["Code"]) == ("failed", "SignatureDoesNotMatch")
        unknown_template = await AliyunSms().send(
            client, {**channel, "options": {**channel["options"], "template_code": "SMS_9"}}, credentials, MESSAGE)
        assert (unknown_template.outcome, unknown_template.detail["Code"]) == ("failed", "isv.SMS_TEMPLATE_ILLEGAL")
        no_mobile = await AliyunSms().send(client, channel, credentials, compose(Occasion.OVERDUE, ALERT, None, None))
        assert no_mobile.outcome == "failed" and "mobile" in no_mobile.detail["error"]
        receiver.inject(200, {"Code": "isp.SYSTEM_ERROR", "Message": "系统错误"})
        assert (await AliyunSms().send(client, channel, credentials, MESSAGE)).outcome == "transient"


async def test_a_receiver_that_is_down_is_a_network_error(client):
    with receiving(wecom_app(Receiver(), key="k")) as url:
        pass
    with pytest.raises(httpx.HTTPError):
        await WeComRobot().send(client, {"endpoint": f"{url}/cgi-bin/webhook/send"}, {"key": "k"}, MESSAGE)


async def test_wecom_never_sends_more_than_its_byte_limit(client):
    receiver = Receiver()
    long = compose(Occasion.URGE, ALERT, "加强行政应诉工作", CONTACT, urged_by="市依法治市办", comment="请" * 900)
    with receiving(wecom_app(receiver, key="robot-key")) as url:
        for fmt, limit in (("text", 2048), ("markdown", 4096)):
            channel = {"endpoint": f"{url}/cgi-bin/webhook/send", "format": fmt}
            assert (await WeComRobot().send(client, channel, {"key": "robot-key"}, long)).outcome == "delivered"
            content = receiver.received[-1]["body"][fmt]["content"]
            assert len(content.encode()) <= limit and content.startswith("【督办催办】" if fmt == "text" else "**")
    assert receiver.received[-1]["body"]["markdown"]["content"].endswith("<@zhangsan>")
