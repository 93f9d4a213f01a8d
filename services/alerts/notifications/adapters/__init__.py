"""The vendors' adapters by channel kind; each `send(client, channel, credentials, message) -> Reply`."""

from services.alerts.notifications.adapters.aliyun_sms import AliyunSms
from services.alerts.notifications.adapters.dingtalk import DingTalkRobot
from services.alerts.notifications.adapters.wecom import WeComRobot

ADAPTERS = {adapter.kind: adapter for adapter in (WeComRobot(), DingTalkRobot(), AliyunSms())}
