"""docker-compose.yml cannot run here (no Docker engine); this keeps it honest against the code."""

import importlib
import inspect
import re

import pytest
import yaml
from pydantic_settings import BaseSettings

from deploy.local.install import KAFKA_VERSION
from deploy.local.stack import PROJECT, SERVICES

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
