"""docker-compose.yml cannot run here (no Docker engine); this keeps it honest against the code."""

import importlib
import inspect
import json
import re

import promql_parser
import pytest
import yaml
from fastapi.testclient import TestClient
from faststream.kafka.security import parse_security
from pydantic_settings import BaseSettings

from deploy.grafana import build as grafana_build
from deploy.local.install import KAFKA_VERSION
from deploy.local.stack import PROJECT, SERVICES
from shared.kafka.broker import kafka_security
from shared.metrics import QUIET_AFTER_SECONDS
from shared.settings import ServiceSettings

COMPOSE = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())


def settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    [cls] = [c for _, c in inspect.getmembers(module, inspect.isclass)
             if issubclass(c, BaseSettings) and c.__module__ == module.__name__]
    return cls


def test_the_compose_file_runs_exactly_the_four_services_plus_kafka_mongo_prometheus_and_grafana():
    assert set(COMPOSE["services"]) == {*SERVICES, "kafka", "mongo", "prometheus", "grafana"}


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
    # /readyz answers 503 while Kafka or the database is away (shared/web/health.py); /health would too, but the
    # orchestrator's probe names the endpoint made for it.
    assert any("/readyz" in part for part in COMPOSE["services"][service]["healthcheck"]["test"])


def test_infrastructure_uses_the_official_images_and_the_kafka_version_we_test_with():
    assert COMPOSE["services"]["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"
    assert re.fullmatch(r"mongo:\d+(\.\d+)*", COMPOSE["services"]["mongo"]["image"])
    assert "--replSet" in COMPOSE["services"]["mongo"]["command"]
    assert COMPOSE["services"]["intake"]["environment"]["DUBAN_MONGODB_URL"].endswith("replicaSet=rs0")


def test_data_lives_in_named_volumes():
    assert set(COMPOSE["volumes"]) == {"kafka-data", "mongo-data", "prometheus-data", "grafana-data"}
    for service in ("kafka", "mongo", "prometheus", "grafana"):
        named = [volume.split(":")[0] for volume in COMPOSE["services"][service]["volumes"]
                 if not volume.startswith("./")]
        assert named and set(named) <= set(COMPOSE["volumes"])


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
    # The mechanism the broker offers there is the one shared/kafka/broker.py's clients speak.
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


# Monitoring: Prometheus and Grafana (deploy/prometheus/, deploy/grafana/) held to the services and their metrics.
PROMETHEUS = yaml.safe_load((PROJECT / "deploy" / "prometheus" / "prometheus.yml").read_text())
RULES = yaml.safe_load((PROJECT / "deploy" / "prometheus" / "rules.yml").read_text())
DASHBOARD = json.loads((PROJECT / "deploy" / "grafana" / "dashboards" / "duban.json").read_text())
ALERTING = yaml.safe_load((PROJECT / "deploy" / "grafana" / "provisioning" / "alerting" / "duban.yml").read_text())
DATASOURCES = yaml.safe_load(
    (PROJECT / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
SYNTHETIC = {"up"}  # series Prometheus makes itself for every target


def listening_port(service: str) -> int:
    command = COMPOSE["services"][service]["command"]
    return int(command[command.index("--port") + 1])


def test_prometheus_scrapes_every_service_on_the_port_it_listens_on_one_job_each():
    jobs = {job["job_name"]: [target for config in job["static_configs"] for target in config["targets"]]
            for job in PROMETHEUS["scrape_configs"]}
    assert jobs == {service: [f"{service}:{listening_port(service)}"] for service in SERVICES}
    assert all(job.get("metrics_path", "/metrics") == "/metrics" for job in PROMETHEUS["scrape_configs"])


def test_the_operations_page_reads_the_same_services_prometheus_scrapes():
    targets = json.loads(COMPOSE["services"]["reporting"]["environment"]["DUBAN_METRICS_TARGETS"])
    assert targets == {service: f"http://{service}:{listening_port(service)}" for service in SERVICES
                       if service != "reporting"}  # reporting reads its own registry


@pytest.mark.parametrize("service", ["prometheus", "grafana"])
def test_the_monitoring_containers_mount_files_that_exist_where_their_configuration_looks(service):
    mounts = dict(volume.split(":")[:2] for volume in COMPOSE["services"][service]["volumes"])
    for source in (source for source in mounts if source.startswith("./")):
        assert (PROJECT / source).exists(), source
    if service == "prometheus":
        assert mounts["./deploy/prometheus/prometheus.yml"] == "/etc/prometheus/prometheus.yml"
        assert [mounts["./deploy/prometheus/rules.yml"]] == PROMETHEUS["rule_files"]
    else:
        provider_path = yaml.safe_load((PROJECT / "deploy" / "grafana" / "provisioning" / "dashboards" /
                                        "duban.yml").read_text())["providers"][0]["options"]["path"]
        assert mounts["./deploy/grafana/dashboards"] == provider_path
        assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
        [datasource] = DATASOURCES["datasources"]
        assert datasource["url"] == "http://prometheus:9090" and "9090:9090" in COMPOSE["services"]["prometheus"][
            "ports"]


def test_grafana_s_dashboard_and_alert_rules_are_the_ones_deploy_grafana_build_writes():
    for path, text in grafana_build.rendered().items():
        assert path.read_text(encoding="utf-8") == text, f"stale: run python -m deploy.grafana.build ({path})"


def test_grafana_and_prometheus_alert_on_the_same_conditions():
    [datasource] = DATASOURCES["datasources"]
    prometheus = {rule["alert"]: rule for group in RULES["groups"] for rule in group["rules"]}
    grafana = {rule["title"]: rule for group in ALERTING["groups"] for rule in group["rules"]}
    assert set(grafana) == set(prometheus)
    for name, rule in grafana.items():
        query, threshold = rule["data"]
        assert query["datasourceUid"] == datasource["uid"]
        evaluator = threshold["model"]["conditions"][0]["evaluator"]
        expected = promql_parser.parse(f"{query['model']['expr']} {dict(gt='>', lt='<')[evaluator['type']]} "
                                       f"{evaluator['params'][0]}")
        assert expected.prettify() == promql_parser.parse(prometheus[name]["expr"]).prettify()
        assert rule["for"] == prometheus[name].get("for", "0s")


def test_the_rules_cover_lag_dead_letters_a_silent_district_and_a_service_down_or_not_ready():
    used = {rule["alert"]: metric_names(rule["expr"]) for group in RULES["groups"] for rule in group["rules"]}
    for metric in ("duban_consumer_lag_messages", "faststream_published_messages_total",
                   "duban_district_last_event_timestamp_seconds", "up", "duban_ready"):
        assert any(metric in names for names in used.values()), metric


def metric_names(query: str) -> set[str]:
    """The metric names a PromQL query selects (parsed, so functions, labels and keywords are not taken for them)."""
    names = set()

    def visit(node):
        if isinstance(node, promql_parser.VectorSelector):
            names.add(node.name or next(m.value for m in node.matchers.matchers if m.name == "__name__"))

    promql_parser.walk(promql_parser.parse(query), visit)
    return names


def registered_metrics() -> set[str]:
    """Every series name the four services' /metrics can carry (counters with _total, histograms' parts…)."""
    suffixes = {"counter": ["_total", "_created"], "histogram": ["_bucket", "_count", "_sum", "_created"],
                "summary": ["_count", "_sum", "_created"], "gauge": [""]}
    names = set()
    for service in SERVICES:
        app = importlib.import_module(f"services.{service}.main").create_app()
        assert TestClient(app).get("/metrics").status_code == 200  # builds the middleware, which registers
        names |= {family.name + suffix for family in app.state.metrics.registry.collect()
                  for suffix in suffixes.get(family.type, [""])}
    return names


def dashboard_queries() -> list[str]:
    return [target["expr"] for panel in DASHBOARD["panels"] for target in panel["targets"]]


def test_every_metric_the_dashboard_and_the_rules_use_is_one_the_services_register():
    queries = dashboard_queries() + [rule["expr"] for group in RULES["groups"] for rule in group["rules"]]
    used = set().union(*(metric_names(query) for query in queries))
    assert used - SYNTHETIC <= registered_metrics(), used - SYNTHETIC - registered_metrics()


def test_the_dashboard_shows_freshness_lag_throughput_errors_and_alerts():
    used = set().union(*(metric_names(query) for query in dashboard_queries()))
    assert {"duban_district_last_event_timestamp_seconds", "duban_consumer_lag_messages",
            "faststream_received_messages_total", "http_requests_total", "duban_open_alerts"} <= used
    [datasource] = DATASOURCES["datasources"]
    assert {panel["datasource"]["uid"] for panel in DASHBOARD["panels"]} == {datasource["uid"]}


def test_the_silent_district_rule_and_the_operations_page_call_a_district_quiet_after_the_same_time():
    [rule] = [rule for group in RULES["groups"] for rule in group["rules"] if rule["alert"] == "DubanDistrictSilent"]
    comparison = promql_parser.parse(rule["expr"])
    assert (str(comparison.op), comparison.rhs.val) == (">", QUIET_AFTER_SECONDS)
