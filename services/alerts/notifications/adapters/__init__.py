"""The vendors' adapters by channel kind. Every channel, an SMS gateway included, is one `ChannelAdapter`: another
SMS vendor (Tencent Cloud SMS, a government SMS platform) is one more module with a `send` and an entry here."""

from typing import ClassVar, Protocol

import httpx

from services.alerts.notifications.adapters.aliyun_sms import AliyunSms
from services.alerts.notifications.adapters.dingtalk import DingTalkRobot
from services.alerts.notifications.adapters.replies import Reply
from services.alerts.notifications.adapters.wecom import WeComRobot
from services.alerts.notifications.messages import Message


class ChannelAdapter(Protocol):
    kind: ClassVar[str]  # the channel's `kind` in the API
    default_endpoint: ClassVar[str]  # the vendor's public API URL
    per_minute: ClassVar[int | None]  # the vendor's send limit per channel, kept by the notifier; None: none

    async def send(self, client: httpx.AsyncClient, channel: dict, credentials: dict, message: Message) -> Reply:
        """One request in the vendor's format; its reply judged (replies.py). httpx.HTTPError when unreachable.
        `channel` is the stored channel (endpoint, format, options), `credentials` its unsealed secrets."""
        ...


ADAPTERS: dict[str, ChannelAdapter] = {adapter.kind: adapter for adapter in (WeComRobot(), DingTalkRobot(),
                                                                             AliyunSms())}
