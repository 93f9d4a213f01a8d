"""The local Kafka's configuration with and without SASL (deploy/local/stack.py), and what the services are told."""

from pathlib import Path

from deploy.local.stack import Endpoints, LocalStack, kafka_properties
from shared.kafka.broker import kafka_client_options
from shared.settings import ServiceSettings


def properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def test_the_default_local_kafka_is_plain():
    config = properties(kafka_properties(9092, 9093, Path("/data")))
    assert config["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert not any(name.startswith("sasl.") or ".sasl." in name or "authorizer" in name for name in config)
    assert config["listener.security.protocol.map"] == "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"


def test_with_sasl_the_one_client_listener_is_sasl_plaintext_with_scram_and_the_broker_logs_in_as_admin():
    config = properties(kafka_properties(9092, 9093, Path("/data"), admin_password="pw-1"))
    assert config["listeners"] == "SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert config["advertised.listeners"] == "SASL_PLAINTEXT://127.0.0.1:9092"
    assert config["inter.broker.listener.name"] == "SASL_PLAINTEXT"
    assert config["listener.security.protocol.map"] == "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"
    assert config["super.users"] == "User:admin;User:duban" and config["allow.everyone.if.no.acl.found"] == "false"
    assert config["sasl.enabled.mechanisms"] == config["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
    assert 'username="admin" password="pw-1"' in config["listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"]


def test_the_services_are_given_the_scram_user_as_settings_they_read():
    endpoints = Endpoints("127.0.0.1:9092", "mongodb://x", "duban", "pw-2")
    settings = ServiceSettings(**{name.removeprefix("DUBAN_").lower(): value
                                  for name, value in endpoints.environment().items()})
    assert kafka_client_options(settings) == {**endpoints.kafka_options(), "ssl_context": None}
    assert "DUBAN_KAFKA_SASL_USERNAME" not in Endpoints("127.0.0.1:9092", "mongodb://x").environment()


def test_the_users_are_made_once_and_kept_owner_only(tmp_path):
    stack = LocalStack(tmp_path, kafka_sasl=True)
    (tmp_path / "kafka").mkdir()
    users = stack.kafka_users(tmp_path / "kafka" / "data")
    assert set(users) == {"admin", "duban"} and users == stack.kafka_users(tmp_path / "kafka" / "data")
    assert (tmp_path / "kafka" / "sasl.json").stat().st_mode & 0o077 == 0


def test_the_setting_turns_sasl_on(monkeypatch, tmp_path):
    monkeypatch.setenv("DUBAN_LOCAL_KAFKA_SASL", "1")
    assert LocalStack(tmp_path).kafka_sasl and not LocalStack(tmp_path, kafka_sasl=False).kafka_sasl
    monkeypatch.delenv("DUBAN_LOCAL_KAFKA_SASL")
    assert not LocalStack(tmp_path).kafka_sasl
