"""钉钉 custom robot (自定义机器人), per DingTalk's "自定义机器人发送群消息" and "加签" documentation
(open.dingtalk.com/document/robots/custom-robot-access, …/customize-robot-security-settings).

Request: `POST <endpoint>?access_token=<token>[&timestamp=<ms>&sign=<sign>]`, JSON. With 加签 (the robot's SEC…
secret): sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))), timestamp in
milliseconds, within an hour of DingTalk's clock. markdown (default):
`{"msgtype": "markdown", "markdown": {"title": …, "text": …}, "at": {"atMobiles": […], "atUserIds": […]}}`;
text: `{"msgtype": "text", "text": {"content": …}, "at": {…}}`. A mention shows only when the text also holds
`@<mobile>` / `@<userId>`, so they are appended.
Reply: `{"errcode": 0, "errmsg": "ok"}`, HTTP 200 for failures too: 130101 (send too fast, over 20 messages a
minute; DingTalk then blocks the robot about 10 minutes) is throttled, -1 (system busy) transient, any other
(310000 sign not match / keyword / IP, 300001 invalid token, …) failed.
"""

import base64
import hashlib
import hmac
import time

import httpx

from services.alerts.notifications.adapters.replies import Reply, judged
from services.alerts.notifications.messages import Message

THROTTLED = frozenset({130101})
TRANSIENT = frozenset({-1})


def sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` parameter, before URL encoding (httpx encodes query parameters)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def body(message: Message, fmt: str) -> dict:
    mentions = " ".join(f"@{who}" for who in (*message.mobiles, *message.dingtalk_userids))
    at = {"atMobiles": list(message.mobiles), "atUserIds": list(message.dingtalk_userids), "isAtAll": False}
    if fmt == "text":
        return {"msgtype": "text", "text": {"content": message.text + (f"\n{mentions}" if mentions else "")}, "at": at}
    text = "\n\n".join([f"#### {message.title}", *(f"> {line}" for line in message.lines), *([mentions] if mentions
                                                                                             else [])])
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": text}, "at": at}


class DingTalkRobot:
    kind = "dingtalk"
    default_endpoint = "https://oapi.dingtalk.com/robot/send"
    per_minute = 20

    async def send(self, client: httpx.AsyncClient, channel: dict, credentials: dict, message: Message) -> Reply:
        params = {"access_token": credentials["access_token"]}
        if credentials.get("secret"):
            timestamp = round(time.time() * 1000)
            params |= {"timestamp": str(timestamp), "sign": sign(credentials["secret"], timestamp)}
        response = await client.post(channel["endpoint"], params=params,
                                     json=body(message, channel.get("format") or "markdown"))
        return judged(response, "errcode", "errmsg", 0, THROTTLED, TRANSIENT)
