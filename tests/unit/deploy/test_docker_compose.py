"""docker-compose.yml cannot run here (no Docker engine); this keeps it honest against the code."""

import importlib
import inspect
import re

import pytest
import yaml
from faststream.kafka.security import parse_security
from pydantic_settings import BaseSettings

from deploy.local.install import KAFKA_VERSION
from deploy.local.stack import PROJECT, SERVICES
from shared.broker import kafka_security
from shared.settings import ServiceSettings

COMPOSE = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())


def settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    [cls] = [c for _, c in inspect.getmembers(module, inspect.isclass)
             if issubclass(c, BaseSettings) and c.__module__ == module.__name__]
    return cls


def test_the_compose_file_runs_exactly_the_four_services_plus_kafka_and_mongo():
    assert set(COMPOSE["services"]) == {*SERVICES, "kafka", "mongo"}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_command_names_its_real_app_factory(service):
    command = COMPOSE["services"][service]["command"]
    target = command[command.index("--factory") + 1]
    module_name, factory = target.split(":")
    assert module_name == f"services.{service}.main"
    assert callable(getattr(importlib.import_module(module_name), factory))


@pytest.mark.parametrize("service", SERVICES)
def test_every_environment_variable_is_a_setting_the_service_reads(service):
    settings = settings_class(service)
    prefix = settings.model_config["env_prefix"]
    environment = COMPOSE["services"][service]["environment"]
    names = {name.removeprefix(prefix).lower() for name in environment}
    assert all(name.startswith(prefix) for name in environment)
    assert names <= set(settings.model_fields), names - set(settings.model_fields)
    assert {"kafka_bootstrap_servers", "mongodb_url", "mongodb_database"} <= names


@pytest.mark.parametrize("service", sorted(COMPOSE["services"]))
def test_every_container_has_a_health_check(service):
    assert COMPOSE["services"][service]["healthcheck"]["test"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_is_healthy_when_its_readyz_says_ready(service):
    # /readyz answers 503 while Kafka or the database is away (shared/health.py); /health would too, but the
    # orchestrator's probe names the endpoint made for it.
    assert any("/readyz" in part for part in COMPOSE["services"][service]["healthcheck"]["test"])


def test_infrastructure_uses_the_official_images_and_the_kafka_version_we_test_with():
    assert COMPOSE["services"]["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"
    assert re.fullmatch(r"mongo:\d+(\.\d+)*", COMPOSE["services"]["mongo"]["image"])
    assert "--replSet" in COMPOSE["services"]["mongo"]["command"]
    assert COMPOSE["services"]["intake"]["environment"]["DUBAN_MONGODB_URL"].endswith("replicaSet=rs0")


def test_data_lives_in_named_volumes():
    assert set(COMPOSE["volumes"]) == {"kafka-data", "mongo-data"}
    for service in ("kafka", "mongo"):
        [volume] = COMPOSE["services"][service]["volumes"]
        assert volume.split(":")[0] in COMPOSE["volumes"]


def test_the_image_copies_every_package_the_services_import():
    dockerfile = (PROJECT / "deploy" / "Dockerfile").read_text()
    for package in ("shared", "services"):
        assert f"COPY {package} ./{package}" in dockerfile


def kafka_properties_of(environment: dict) -> dict[str, str]:
    """The broker properties the apache/kafka image makes of KAFKA_* variables (its docker/resources/utility:
    `_` is `.`, `__` is `_`, `___` is `-`, lower-cased)."""
    def convert(name: str) -> str:
        dotted = re.sub(r"(?<=[^_])_(?=[^_])", ".", name.removeprefix("KAFKA_"))
        return dotted.replace("___", "-").replace("__", "_").lower()

    return {convert(name): str(value) for name, value in environment.items() if name.startswith("KAFKA_")}


def listeners(value: str) -> dict[str, tuple[str, int]]:
    """`NAME://host:port,…` as {name: (host, port)}; the host may be a compose variable with a default."""
    found = {}
    for listener in value.split(","):
        name, address = listener.split("://")
        host, port = address.rsplit(":", 1)
        found[name] = (host, int(port))
    return found


KAFKA = kafka_properties_of(COMPOSE["services"]["kafka"]["environment"])


def test_integrators_reach_kafka_on_an_external_listener_advertised_on_the_host_with_scram():
    bound, advertised = listeners(KAFKA["listeners"]), listeners(KAFKA["advertised.listeners"])
    protocols = dict(pair.split(":") for pair in KAFKA["listener.security.protocol.map"].split(","))
    external_port = bound["EXTERNAL"][1]
    assert advertised["EXTERNAL"] == ("${DUBAN_KAFKA_EXTERNAL_HOST:-localhost}", external_port)
    assert f"{external_port}:{external_port}" in COMPOSE["services"]["kafka"]["ports"]
    assert protocols["EXTERNAL"] == "SASL_PLAINTEXT"
    # The mechanism the broker offers there is the one shared/broker.py's clients speak.
    client = parse_security(kafka_security(ServiceSettings(kafka_sasl_username="district-361002",
                                                           kafka_sasl_password="x")))
    assert (client["security_protocol"], client["sasl_mechanism"]) == (
        protocols["EXTERNAL"], KAFKA["listener.name.external.sasl.enabled.mechanisms"])
    jaas = KAFKA[f"listener.name.external.{client['sasl_mechanism'].lower()}.sasl.jaas.config"]
    assert jaas.startswith("org.apache.kafka.common.security.scram.ScramLoginModule required")
    # What each principal may do is decided by ACLs, nobody is let in by default.
    assert KAFKA["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert KAFKA["allow.everyone.if.no.acl.found"] == "false"


@pytest.mark.parametrize("service", SERVICES)
def test_the_services_use_the_internal_listener_which_the_host_does_not_reach(service):
    bound, advertised = listeners(KAFKA["listeners"]), listeners(KAFKA["advertised.listeners"])
    assert COMPOSE["services"][service]["environment"]["DUBAN_KAFKA_BOOTSTRAP_SERVERS"] == \
        "{}:{}".format(*advertised[KAFKA["inter.broker.listener.name"]])
    published = {int(port.split(":")[-1]) for port in COMPOSE["services"]["kafka"]["ports"]}
    assert bound["PLAINTEXT"][1] not in published and bound["CONTROLLER"][1] not in published


def test_alerts_runs_in_production_and_does_not_start_without_a_secrets_key():
    environment = COMPOSE["services"]["alerts"]["environment"]
    assert environment["DUBAN_ENVIRONMENT"] == "production"
    assert environment["DUBAN_SECRETS_KEY"].startswith("${DUBAN_SECRETS_KEY:?")
