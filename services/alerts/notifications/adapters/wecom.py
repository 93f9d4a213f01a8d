"""企业微信 group robot (群机器人), per WeCom's "群机器人配置说明" (developer.work.weixin.qq.com/document/path/91770).

Request: `POST <endpoint>?key=<robot key>`, JSON. `msgtype` text:
`{"msgtype": "text", "text": {"content": …, "mentioned_list": [userid], "mentioned_mobile_list": [mobile]}}`
(content at most 2048 bytes); markdown: `{"msgtype": "markdown", "markdown": {"content": …}}` (at most 4096 bytes),
where only `<@userid>` mentions (no mobile mention): text is the default, it @-mentions by mobile too.
Reply: `{"errcode": 0, "errmsg": "ok"}`; 45009 (api freq out of limit: 20 messages a minute per robot) is
throttled, -1 (system busy) transient, any other code (93000 invalid webhook key, …) failed.
"""

import httpx

from services.alerts.notifications.adapters.replies import Reply, judged
from services.alerts.notifications.messages import Message

THROTTLED = frozenset({45009})
TRANSIENT = frozenset({-1})
MAX_BYTES = {"text": 2048, "markdown": 4096}


def clipped(text: str, max_bytes: int) -> str:
    """At most `max_bytes` of UTF-8, cut at a character (a long comment must not make WeCom refuse it all)."""
    return text.encode()[:max_bytes].decode(errors="ignore")


def body(message: Message, fmt: str) -> dict:
    if fmt == "markdown":
        mentions = "".join(f"<@{user}>" for user in message.wecom_userids)
        text = "\n".join([f"**{message.title}**", *(f"> {line}" for line in message.lines)])
        content = clipped(text, MAX_BYTES["markdown"] - len(mentions.encode()) - 1) + (f"\n{mentions}" if mentions
                                                                                         else "")
        return {"msgtype": "markdown", "markdown": {"content": content}}
    return {"msgtype": "text", "text": {"content": clipped(message.text, MAX_BYTES["text"]),
                                        "mentioned_list": list(message.wecom_userids),
                                        "mentioned_mobile_list": list(message.mobiles)}}


class WeComRobot:
    kind = "wecom"
    default_endpoint = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    per_minute = 20

    async def send(self, client: httpx.AsyncClient, channel: dict, credentials: dict, message: Message) -> Reply:
        response = await client.post(channel["endpoint"], params={"key": credentials["key"]},
                                     json=body(message, channel.get("format") or "text"))
        return judged(response, "errcode", "errmsg", 0, THROTTLED, TRANSIENT)
