"""Channel credentials (robot keys and tokens, signing secrets, SMS access keys) sealed at rest with Fernet
(`cryptography`: AES-128-CBC + HMAC-SHA256, authenticated) under the key in DUBAN_SECRETS_KEY
(`Fernet.generate_key()`: 32 url-safe base64 bytes). The same key setting the webhooks' secrets use."""

import json

from cryptography.fernet import Fernet, InvalidToken

from shared.problems import Problem


class Sealer:
    def __init__(self, key: str | None):
        """Raises ValueError at start-up when the key is not a Fernet key (better than at the first channel)."""
        self.fernet = Fernet(key.encode()) if key else None

    def seal(self, credentials: dict) -> str:
        if self.fernet is None:
            raise Problem(503, "No secrets key", "Notification channels keep credentials encrypted: set "
                          "DUBAN_SECRETS_KEY (a Fernet key) for the alerts service.", slug="secrets-key-missing")
        return self.fernet.encrypt(json.dumps(credentials).encode()).decode()

    def open(self, sealed: str) -> dict:
        """The credentials; raises ValueError when the key is missing or is not the one they were sealed with."""
        if self.fernet is None:
            raise ValueError("DUBAN_SECRETS_KEY is not set")
        try:
            return json.loads(self.fernet.decrypt(sealed.encode()))
        except InvalidToken as error:
            raise ValueError("channel credentials sealed under another DUBAN_SECRETS_KEY") from error
