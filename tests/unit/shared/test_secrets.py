"""Secrets sealed at rest (shared/secrets.py): opened only under a configured key; none outside development."""

import pytest
from cryptography.fernet import Fernet

from shared.secrets import DEVELOPMENT_KEY, SealedSecretError, SecretBox, SecretsKeyError
from shared.settings import ServiceSettings


def test_a_sealed_secret_is_not_the_plain_one_and_opens_back():
    box = SecretBox(Fernet.generate_key().decode())
    sealed = box.seal("whsec_c2VjcmV0")
    assert "c2VjcmV0" not in sealed and box.open(sealed) == "whsec_c2VjcmV0"


def test_another_key_or_an_altered_value_does_not_open():
    sealed = SecretBox(Fernet.generate_key().decode()).seal("whsec_c2VjcmV0")
    with pytest.raises(SealedSecretError):
        SecretBox(Fernet.generate_key().decode()).open(sealed)
    box = SecretBox(Fernet.generate_key().decode())
    sealed = box.seal("whsec_c2VjcmV0")
    with pytest.raises(SealedSecretError):
        box.open(sealed[:-6] + ("AAAAAA" if not sealed.endswith("AAAAAA") else "BBBBBB"))


def test_a_new_key_put_first_opens_the_old_values_and_reseals_them_under_itself():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = SecretBox(old).seal("whsec_c2VjcmV0")
    rotated = SecretBox(f"{new}, {old}")
    resealed = rotated.reseal(sealed)
    assert rotated.open(sealed) == SecretBox(new).open(resealed) == "whsec_c2VjcmV0"
    assert rotated.reseal(resealed) is None  # already under the first key: nothing to write


def test_outside_development_a_service_refuses_to_start_without_a_key(monkeypatch):
    monkeypatch.delenv("DUBAN_SECRETS_KEY", raising=False)
    monkeypatch.setenv("DUBAN_ENVIRONMENT", "production")
    with pytest.raises(SecretsKeyError, match="DUBAN_SECRETS_KEY"):
        SecretBox.from_settings(ServiceSettings())
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("DUBAN_SECRETS_KEY", key)
    settings = ServiceSettings()
    assert key not in repr(settings) and key not in str(settings.model_dump())
    assert SecretBox(key).open(SecretBox.from_settings(settings).seal("x")) == "x"


def test_in_development_the_published_key_is_used_and_a_malformed_key_is_refused(monkeypatch):
    monkeypatch.delenv("DUBAN_SECRETS_KEY", raising=False)
    monkeypatch.delenv("DUBAN_ENVIRONMENT", raising=False)
    assert SecretBox(DEVELOPMENT_KEY).open(SecretBox.from_settings(ServiceSettings()).seal("x")) == "x"
    with pytest.raises(SecretsKeyError):
        SecretBox("not-a-fernet-key")
    with pytest.raises(SecretsKeyError):
        SecretBox(" , ")

