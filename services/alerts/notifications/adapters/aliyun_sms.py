"""Aliyun SMS (阿里云短信服务) `SendSms`, API version 2017-05-25, RPC style, per Aliyun's "SendSms - 发送短信"
(help.aliyun.com/document_detail/55284.html) and its RPC "签名机制" (help.aliyun.com/document_detail/28839.html).

Request: `POST <endpoint>` (https://dysmsapi.aliyuncs.com/), form-encoded: the common parameters (AccessKeyId,
Action=SendSms, Format=JSON, RegionId, SignatureMethod=HMAC-SHA1, SignatureNonce, SignatureVersion=1.0, Timestamp
in ISO 8601 UTC, Version=2017-05-25), the call's (PhoneNumbers, SignName, TemplateCode, TemplateParam: a JSON
object of the template's variables) and Signature = base64(HMAC-SHA1(key=AccessKeySecret + "&",
msg="POST&%2F&" + percent(canonical query))), where the canonical query is the parameters sorted by name, each
name and value percent-encoded (RFC 3986: only A-Z a-z 0-9 - _ . ~ left as they are, a space as %20).
Reply: JSON `{"Code": "OK", "Message": "OK", "BizId": …, "RequestId": …}`; errors carry another Code, on HTTP 200
(isv.MOBILE_NUMBER_ILLEGAL, isv.TEMPLATE_MISSING_PARAMETERS, …: failed) or 4xx (SignatureDoesNotMatch,
InvalidAccessKeyId.NotFound: failed). isv.BUSINESS_LIMIT_CONTROL (per-number flow control, by default 1 a minute,
5 an hour, 10 a day) and Throttling.User are throttled; isp.SYSTEM_ERROR transient.

The template is the operator's, approved by Aliyun, with the variables ${unit} ${measure} ${occasion} ${status},
e.g. "${unit}：工作措施${measure}${occasion}，${status}，请及时办理并报送进展。"
"""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from services.alerts.notifications.adapters.replies import Reply, judged
from services.alerts.notifications.messages import Message

THROTTLED = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User"})
TRANSIENT = frozenset({"isp.SYSTEM_ERROR"})


def percent(value: str) -> str:
    return quote(value, safe="-_.~")


def signature(access_key_secret: str, method: str, parameters: dict[str, str]) -> str:
    canonical = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(parameters.items()))
    string_to_sign = f"{method}&{percent('/')}&{percent(canonical)}"
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def parameters(channel: dict, credentials: dict, mobile: str, message: Message) -> dict[str, str]:
    options = channel.get("options") or {}
    return {
        "AccessKeyId": credentials["access_key_id"], "Action": "SendSms", "Format": "JSON",
        "RegionId": options.get("region_id", "cn-hangzhou"), "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        "PhoneNumbers": mobile, "SignName": options["sign_name"], "TemplateCode": options["template_code"],
        "TemplateParam": json.dumps(message.template_params, ensure_ascii=False, separators=(",", ":")),
    }


class AliyunSms:
    kind = "aliyun_sms"
    default_endpoint = "https://dysmsapi.aliyuncs.com/"
    per_minute = None  # Aliyun limits per number (see above), answered with a throttled code

    async def send(self, client: httpx.AsyncClient, channel: dict, credentials: dict, message: Message) -> Reply:
        if not message.mobiles:
            return Reply("failed", {"error": "the unit has no contact mobile in the registry"})
        form = parameters(channel, credentials, ",".join(message.mobiles), message)
        form["Signature"] = signature(credentials["access_key_secret"], "POST", form)
        response = await client.post(channel["endpoint"], data=form)
        return judged(response, "Code", "Message", "OK", THROTTLED, TRANSIENT)
