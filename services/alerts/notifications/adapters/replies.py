"""What a vendor's reply means for a delivery. Both robots and Aliyun answer HTTP 200 with an error code in the body
for most failures, so the status alone proves nothing: the code decides.

- delivered: the vendor's success code;
- throttled: its rate-limit code (or HTTP 429): tried again once its window has passed, not counted as a failure;
- transient: 5xx, its "busy" codes, a network error: tried again with backoff;
- failed: anything else (a wrong key, a bad signature, a refused number): no retry can fix it;
- withdrawn: not sent at all, the alert having closed before its turn (no vendor was asked).
"""

from dataclasses import dataclass, field
from typing import Literal

import httpx

Outcome = Literal["delivered", "throttled", "transient", "failed", "withdrawn"]


@dataclass(frozen=True)
class Reply:
    outcome: Outcome
    detail: dict = field(default_factory=dict, hash=False)


def judged(response: httpx.Response, code_field: str, message_field: str, ok_code: object,
           throttled: frozenset, transient: frozenset) -> Reply:
    """The Reply of a vendor's JSON answer `{code_field: …, message_field: …}`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    code = body.get(code_field)
    detail = {"status_code": response.status_code, code_field: code, message_field: body.get(message_field)}
    if code in throttled or response.status_code == 429:
        return Reply("throttled", detail)
    if response.is_success and code == ok_code:
        return Reply("delivered", detail)
    if code in transient or response.status_code >= 500:
        return Reply("transient", detail)
    return Reply("failed", detail)
