"""Standard Webhooks signatures and secrets (https://www.standardwebhooks.com, spec v1.0.0), pure.

A secret is `whsec_` + base64 of its key bytes; a signature is `v1,` + base64 of HMAC-SHA256 under the key of
`<webhook-id>.<webhook-timestamp>.<body>`; several, space-separated, while a rotated-out secret still signs.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

SECRET_PREFIX = "whsec_"
# The spec's secrets are 24 to 64 random bytes; duban generates 32.
SECRET_BYTES = range(24, 65)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    """The key bytes of a `whsec_<base64>` secret; ValueError if it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a secret starts with {SECRET_PREFIX!r}")
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as error:
        raise ValueError(f"a secret is {SECRET_PREFIX!r} and base64 ({error})") from error


def legacy_secret(secret: str) -> str:
    """A pre-Standard-Webhooks secret (any text, HMAC key = its UTF-8 bytes) in `whsec_` form, the same key."""
    return SECRET_PREFIX + base64.b64encode(secret.encode()).decode()


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` (Standard Webhooks, symmetric signature)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(keys: list[bytes], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers, one signature per key (current first), space-separated."""
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signature(key, message_id, timestamp, body) for key in keys)}


def rotated(held: list[dict], sealed: str, now: datetime, grace: timedelta) -> list[dict]:
    """A subscription's secrets (`{sealed, expires_at}`, current first) after a rotation to `sealed`: it first, the
    current one kept until `now + grace` (none with no grace); one still in the grace of an earlier rotation is
    dropped."""
    current = [{**s, "expires_at": now + grace} for s in held[:1] if s.get("expires_at") is None]
    return [{"sealed": sealed, "expires_at": None}, *(current if grace > timedelta(0) else [])]
