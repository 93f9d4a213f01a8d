"""Local stand-ins for the vendors, on 127.0.0.1, speaking their documented request and reply formats (the sources
are in each adapter's docstring): they check what a real endpoint checks (key or token, DingTalk's 加签, Aliyun's
RPC signature, recomputed here independently, the way Aliyun's documentation describes it), answer with the
vendor's error codes, and enforce the vendor's rate limits over a window the test chooses (60 s by default).

`inject` queues replies to give before judging the next requests (an outage, a busy answer).
"""

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.support.apps import serving


@dataclass
class Receiver:
    limit: int = 20
    window_seconds: float = 60.0
    received: list[dict] = field(default_factory=list)  # each request accepted, with its arrival time
    injected: deque = field(default_factory=deque)  # (status, body) to answer the next requests with
    sent: dict = field(default_factory=lambda: defaultdict(deque))

    def inject(self, status: int, body: dict) -> None:
        self.injected.append((status, body))

    def over_limit(self, who: str, limit: int | None = None) -> bool:
        now, window = time.monotonic(), self.sent[who]
        while window and window[0] <= now - self.window_seconds:
            window.popleft()
        if len(window) >= (limit or self.limit):
            return True
        window.append(now)
        return False

    def accept(self, who: str, entry: dict, throttled: dict, ok: dict) -> JSONResponse:
        """The vendor's rate-limit reply when `who` is over its limit, else `entry` kept and the success reply."""
        if self.over_limit(who):
            return reply(200, throttled)
        self.received.append({"at": time.monotonic(), **entry})
        return reply(200, ok)


OK = {"errcode": 0, "errmsg": "ok"}


def reply(status: int, body: dict) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def wecom_app(receiver: Receiver, key: str) -> FastAPI:
    """POST /cgi-bin/webhook/send?key=…: errcode 93000 for an unknown key, 40008 for a bad msgtype, 44004 for an
    empty text, 45009 over 20 messages a minute per robot."""
    app = FastAPI()

    @app.post("/cgi-bin/webhook/send")
    async def send(request: Request) -> JSONResponse:
        if receiver.injected:
            return reply(*receiver.injected.popleft())
        if request.query_params.get("key") != key:
            return reply(200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [x], from ip: 127.0.0.1"})
        body = await request.json()
        kind = body.get("msgtype")
        if kind not in ("text", "markdown") or not isinstance(body.get(kind), dict):
            return reply(200, {"errcode": 40008, "errmsg": "invalid message type"})
        content = body[kind].get("content") or ""
        if not content or len(content.encode()) > (2048 if kind == "text" else 4096):
            return reply(200, {"errcode": 44004, "errmsg": "text content is empty or too long"})
        return receiver.accept(key, {"body": body}, {"errcode": 45009, "errmsg": "api freq out of limit"}, OK)

    return app


def dingtalk_app(receiver: Receiver, access_token: str, secret: str) -> FastAPI:
    """POST /robot/send?access_token=…&timestamp=…&sign=…: 300001 for an unknown token, 310000 for a sign that does
    not match or a timestamp over an hour off, 40035 for a message missing its fields, 130101 over 20 a minute."""
    app = FastAPI()

    @app.post("/robot/send")
    async def send(request: Request) -> JSONResponse:
        if receiver.injected:
            return reply(*receiver.injected.popleft())
        query = request.query_params
        if query.get("access_token") != access_token:
            return reply(200, {"errcode": 300001, "errmsg": "token is not exist"})
        timestamp = query.get("timestamp", "")
        expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                             hashlib.sha256).digest()).decode()
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3_600_000:
            return reply(200, {"errcode": 310000, "errmsg": "sign not match, more: [timestamp is invalid]"})
        if not hmac.compare_digest(query.get("sign", ""), expected):
            return reply(200, {"errcode": 310000, "errmsg": "sign not match, more: [sign not match]"})
        body = await request.json()
        kind = body.get("msgtype")
        part = body.get(kind) if kind in ("text", "markdown") else None
        if not isinstance(part, dict) or not (part.get("content") if kind == "text" else
                                              part.get("title") and part.get("text")):
            return reply(200, {"errcode": 40035, "errmsg": "缺少参数 json"})
        return receiver.accept(access_token, {"body": body},
                               {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}, OK)

    return app


def aliyun_percent(value: str) -> str:
    """Aliyun's documented recipe: the form-urlencoding of the Java standard library, then + → %20, * → %2A,
    %7E → ~."""
    return urllib.parse.quote_plus(value, safe="*").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def aliyun_app(receiver: Receiver, access_key_id: str, access_key_secret: str, templates: dict[str, set[str]]
               ) -> FastAPI:
    """POST / (form) Action=SendSms, Version 2017-05-25: InvalidAccessKeyId.NotFound (404),
    SignatureDoesNotMatch (400), SignatureNonceUsed (400), InvalidTimeStamp.Expired (400), MissingParameter (400);
    on 200: isv.MOBILE_NUMBER_ILLEGAL, isv.SMS_TEMPLATE_ILLEGAL, isv.TEMPLATE_MISSING_PARAMETERS,
    isv.INVALID_JSON_PARAM, and isv.BUSINESS_LIMIT_CONTROL over `limit` a window per number (Aliyun: 1 a minute)."""
    app = FastAPI()
    nonces: set[str] = set()
    required = ("AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion",
                "Timestamp", "Version", "PhoneNumbers", "SignName", "TemplateCode", "Signature")

    def error(status: int, code: str, message: str) -> JSONResponse:
        return reply(status, {"Code": code, "Message": message, "RequestId": "0" * 8})

    @app.post("/")
    async def rpc(request: Request) -> JSONResponse:
        if receiver.injected:
            return reply(*receiver.injected.popleft())
        form = dict((await request.form()).items())
        missing = [name for name in required if not form.get(name)]
        if missing:
            return error(400, f"MissingParameter.{missing[0]}", f"{missing[0]} is mandatory for this action.")
        if form["AccessKeyId"] != access_key_id:
            return error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        given = form.pop("Signature")
        canonical = "&".join(f"{aliyun_percent(k)}={aliyun_percent(v)}" for k, v in sorted(form.items()))
        to_sign = f"POST&{aliyun_percent('/')}&{aliyun_percent(canonical)}"
        expected = base64.b64encode(hmac.new(f"{access_key_secret}&".encode(), to_sign.encode(),
                                             hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(given, expected):
            return error(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        if form["SignatureNonce"] in nonces:
            return error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        nonces.add(form["SignatureNonce"])
        sent_at = datetime.strptime(form["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs(datetime.now(UTC) - sent_at) > timedelta(minutes=15):
            return error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        if form["Action"] != "SendSms" or form["Version"] != "2017-05-25":
            return error(400, "InvalidAction.NotFound", "Specified api is not found.")
        numbers = form["PhoneNumbers"].split(",")
        if not all(re.fullmatch(r"(\+?86|0086)?1\d{10}", n) for n in numbers):
            return error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if form["TemplateCode"] not in templates:
            return error(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            variables = json.loads(form.get("TemplateParam") or "{}")
        except ValueError:
            return error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
            return error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not templates[form["TemplateCode"]] <= set(variables):
            return error(200, "isv.TEMPLATE_MISSING_PARAMETERS", "模版缺少变量")
        return receiver.accept(
            form["PhoneNumbers"], {"form": form, "variables": variables},
            {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发号码分钟级流控Permits:1", "RequestId": "0" * 8},
            {"Code": "OK", "Message": "OK", "BizId": "9006197469364984^0", "RequestId": "0" * 8})

    return app


def answers(url: str) -> bool:
    return httpx.get(url + "/openapi.json", timeout=1).status_code == 200


@contextmanager
def receiving(app: FastAPI) -> Iterator[str]:
    """The receiver's base URL while it runs on 127.0.0.1."""
    with serving(app, answers) as url:
        yield url
