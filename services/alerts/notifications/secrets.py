"""Channel credentials (robot keys and tokens, signing secrets, SMS access keys) sealed at rest as JSON in the
shared SecretBox (shared/secrets.py: Fernet under DUBAN_SECRETS_KEY, the key the webhooks' secrets use, with its
rotation and its development key)."""

import json

from shared.secrets import SecretBox


class Sealer:
    def __init__(self, box: SecretBox):
        self.box = box

    def seal(self, credentials: dict) -> str:
        return self.box.seal(json.dumps(credentials))

    def open(self, sealed: str) -> dict:
        """The credentials; raises ValueError (SealedSecretError) when no configured key opens them."""
        return json.loads(self.box.open(sealed))
