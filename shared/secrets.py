"""Secrets kept at rest (webhook signing secrets), encrypted with Fernet under a key from the environment.

Fernet (the `cryptography` package: AES-128-CBC with an HMAC-SHA256 over it, a timestamp, url-safe base64) is used
rather than own code because it authenticates as well as encrypts: a sealed value altered in the database fails to
open instead of yielding a wrong secret.

`DUBAN_SECRETS_KEY` holds one or more keys, comma-separated, each 32 url-safe base64 bytes
(`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`): the first seals,
every one opens, so a key is rotated by putting the new one first, re-sealing (the alerts service does so at start),
then dropping the old one. Outside development (`DUBAN_ENVIRONMENT` other than `development`) a service that keeps
secrets refuses to start without a key; in development a fixed, published key is used so a local stack's data
survives restarts — it protects nothing.
"""

import base64
import contextlib
import hashlib

import structlog
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from shared.settings import ServiceSettings

# Derived from a published phrase: anyone can rebuild it, which is why it is refused outside development.
DEVELOPMENT_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"duban development secrets key").digest()).decode()

log = structlog.get_logger()


class SecretsKeyError(RuntimeError):
    """No usable key: missing outside development, or not a Fernet key."""


class SealedSecretError(ValueError):
    """A sealed value no configured key opens (another key, or altered)."""


class SecretBox:
    def __init__(self, keys: str):
        try:
            self.keys = [Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()]
            self.fernet = MultiFernet(self.keys)
        except (ValueError, TypeError) as error:
            raise SecretsKeyError("DUBAN_SECRETS_KEY: each key must be 32 url-safe base64-encoded bytes") from error

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "SecretBox":
        """The box of `DUBAN_SECRETS_KEY`; without it the development key in development, else SecretsKeyError."""
        if settings.secrets_key is not None:
            return cls(settings.secrets_key.get_secret_value())
        if settings.environment != "development":
            raise SecretsKeyError(f"DUBAN_SECRETS_KEY must be set when DUBAN_ENVIRONMENT is {settings.environment!r}")
        log.warning("secrets_development_key", detail="DUBAN_SECRETS_KEY unset: secrets sealed with the public "
                                                      "development key")
        return cls(DEVELOPMENT_KEY)

    def seal(self, plain: str) -> str:
        return self.fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self.fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as error:
            raise SealedSecretError("a sealed secret that no configured key opens") from error

    def reseal(self, sealed: str) -> str | None:
        """The same secret sealed under the first key when another key sealed it (after a key rotation), else None."""
        with contextlib.suppress(InvalidToken):
            self.keys[0].decrypt(sealed.encode())
            return None
        try:
            return self.fernet.rotate(sealed.encode()).decode()
        except InvalidToken as error:
            raise SealedSecretError("a sealed secret that no configured key opens") from error
