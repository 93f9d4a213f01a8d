"""The Helm chart (deploy/helm/duban) rendered by the real `helm` and held to the Kubernetes API and to the code.

Every rendered object is validated (strict: unknown fields refused) against the OpenAPI schemas of the oldest
Kubernetes the chart supports and of Kubernetes 1.37; the two custom resources it renders
(Strimzi's KafkaTopic, prometheus-operator's ServiceMonitor), which no Kubernetes schema covers, are held to the
fields of their published APIs. The settings the chart gives each service must be settings that service reads.
"""

import re
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr

from deploy.local.helm import install_helm
from deploy.local.stack import PROJECT, SERVICES
from services.alerts.settings import load_rules
from services.reporting.settings import load_scoring_rules
from shared.contracts.topics import PARTITIONS, Topics
from tests.unit.deploy.test_docker_compose import settings_class

CHART = PROJECT / "deploy" / "helm" / "duban"
PROVINCE = CHART / "values-province.yaml"
# Pinned: the oldest Kubernetes the chart declares (Chart.yaml kubeVersion ">=1.31.0-0") and the newest whose
# schemas kubernetes-validate 1.37 ships.
OLDEST = re.fullmatch(r">=(\d+\.\d+\.\d+)-0", yaml.safe_load((CHART / "Chart.yaml").read_text())["kubeVersion"])[1]
KUBERNETES_VERSIONS = (OLDEST, "1.37.0")
CUSTOM_RESOURCES = {"KafkaTopic", "ServiceMonitor"}
# The first helm build compiles it from the Go module proxy (a few minutes on 2 cores); later runs find it cached.
pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def helm() -> Path:
    path = install_helm()
    if path is None:
        pytest.skip("helm cannot be built here: no Go toolchain (`go`) to build it from the Go module proxy")
    return path


def run_helm(helm: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(helm), *arguments], capture_output=True, text=True, timeout=120)


class UniqueKeyLoader(yaml.SafeLoader):
    """Refuses a mapping that repeats a key, as the API server's strict decoding does (PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        repeated = {key for key in keys if keys.count(key) > 1}
        if repeated:
            raise yaml.constructor.ConstructorError(None, None, f"repeated keys {sorted(repeated)}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


def render(helm: Path, *arguments: str) -> list[dict]:
    """`helm template` of the chart as release `duban`; the rendered objects, in order."""
    rendered = run_helm(helm, "template", "duban", str(CHART), "--namespace", "duban", *arguments)
    assert rendered.returncode == 0, rendered.stderr
    return [document for document in yaml.load_all(rendered.stdout, Loader=UniqueKeyLoader) if document]


@pytest.fixture(scope="module")
def city(helm) -> list[dict]:
    return render(helm)


@pytest.fixture(scope="module")
def province(helm) -> list[dict]:
    return render(helm, "--values", str(PROVINCE))


def of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    """The objects of one kind by their component label (or name, for objects of no component)."""
    return {o["metadata"]["labels"].get("app.kubernetes.io/component", o["metadata"]["name"]): o
            for o in objects if o["kind"] == kind}


def named(objects: list[dict], kind: str, name: str) -> dict:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def environment(objects: list[dict], service: str) -> dict[str, str]:
    """The DUBAN_* settings of one service's ConfigMap."""
    return named(objects, "ConfigMap", f"duban-{service}")["data"]


@pytest.mark.parametrize("values", ["default", "province"])
def test_helm_lint_passes_strictly(helm, values):
    arguments = ["--values", str(PROVINCE)] if values == "province" else []
    linted = run_helm(helm, "lint", "--strict", str(CHART), *arguments)
    assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values", ["city", "province"])
def test_every_rendered_object_is_valid_against_the_kubernetes_schemas(values, version, request):
    objects = request.getfixturevalue(values)
    for manifest in objects:
        if manifest["kind"] in CUSTOM_RESOURCES:
            continue
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except jsonschema.ValidationError as error:  # what strict validation raises, and the library's own subclass
            pytest.fail(f"{manifest['kind']} {manifest['metadata']['name']} (Kubernetes {version}): {error.message} "
                        f"at {'.'.join(map(str, error.path))}")


def test_each_service_is_a_deployment_with_service_probes_resources_and_a_disruption_budget(city):
    deployments, services = of_kind(city, "Deployment"), of_kind(city, "Service")
    budgets = of_kind(city, "PodDisruptionBudget")
    assert set(deployments) == set(services) == set(budgets) == set(SERVICES)
    for name, port in SERVICES.items():
        pod = deployments[name]["spec"]["template"]
        [container] = pod["spec"]["containers"]
        assert container["command"][:3] == ["uvicorn", "--factory", f"services.{name}.main:create_app"]
        assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        selector = deployments[name]["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod["metadata"]["labels"].items()
        assert services[name]["spec"]["selector"] == selector == budgets[name]["spec"]["selector"]["matchLabels"]
        assert services[name]["spec"]["ports"][0]["port"] == port
        assert deployments[name]["spec"]["replicas"] >= 2  # one instance may go without the service going


@pytest.mark.parametrize("values", ["city", "province"])
def test_the_settings_the_chart_gives_a_service_are_settings_it_reads_and_none_is_a_secret(values, request):
    objects = request.getfixturevalue(values)
    for service in SERVICES:
        fields = settings_class(service).model_fields
        read = {f"DUBAN_{name.upper()}" for name in fields}
        secret = {f"DUBAN_{name.upper()}" for name, field in fields.items() if SecretStr in _types(field.annotation)}
        given = set(environment(objects, service))
        assert given <= read, f"{service} reads no {sorted(given - read)}"
        # The database URL carries its user's password: it comes from the Secret like the SecretStr settings.
        assert not given & (secret | {"DUBAN_MONGODB_URL"}), f"{service}: a secret in a ConfigMap"
        [container] = of_kind(objects, "Deployment")[service]["spec"]["template"]["spec"]["containers"]
        assert {"secretRef": {"name": "duban"}} in container["envFrom"]


def _types(annotation) -> set:
    return {annotation, *(t for arg in getattr(annotation, "__args__", ()) for t in _types(arg))}


def test_each_service_gets_a_database_of_its_own_and_reaches_the_others_through_their_services(province):
    databases = {service: environment(province, service)["DUBAN_MONGODB_DATABASE"] for service in SERVICES}
    assert len(set(databases.values())) == len(SERVICES)
    addresses = {name: f"http://duban-{name}:{port}" for name, port in SERVICES.items()}
    assert environment(province, "intake")["DUBAN_TRACKER_URL"] == addresses["tracker"]
    assert yaml.safe_load(environment(province, "reporting")["DUBAN_METRICS_TARGETS"]) == {
        name: address for name, address in addresses.items() if name != "reporting"}


@pytest.mark.parametrize(("values", "partitions"), [("city", PARTITIONS), ("province", 24)])
def test_every_topic_of_the_code_is_declared_for_strimzi_with_the_charts_partitions(values, partitions, request):
    objects = request.getfixturevalue(values)
    topics = [o for o in objects if o["kind"] == "KafkaTopic"]
    prefix = environment(objects, "tracker")["DUBAN_TOPIC_PREFIX"]
    assert sorted(t["spec"]["topicName"] for t in topics) == sorted(Topics(prefix).all())
    for topic in topics:
        assert topic["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert topic["metadata"]["labels"]["strimzi.io/cluster"]
        # Strimzi's KafkaTopic spec (v1beta2): partitions and replicas integers ≥ 1, config a map, topicName.
        assert set(topic["spec"]) <= {"partitions", "replicas", "config", "topicName"}
        assert topic["spec"]["partitions"] == partitions and topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2  # one broker may be lost under acks=all
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", topic["metadata"]["name"])  # a DNS subdomain


def test_consumers_never_outnumber_the_partitions(helm, province):
    """More tracker or alerts instances than partitions would sit idle in their group: the chart refuses them. By
    default it counts the partitions the services declare themselves (PARTITIONS)."""
    one_more = PARTITIONS + 1
    for service in ("tracker", "alerts"):
        deployment = of_kind(province, "Deployment")[service]
        autoscaler = of_kind(province, "HorizontalPodAutoscaler").get(service)
        assert (autoscaler["spec"]["maxReplicas"] if autoscaler else deployment["spec"]["replicas"]) <= 24
        too_many = run_helm(helm, "template", "duban", str(CHART), "--set", f"services.{service}.replicas={one_more}")
        assert too_many.returncode != 0
        assert f"services.{service}.replicas ({one_more}) exceeds kafka.partitions ({PARTITIONS})" in too_many.stderr
        scaling = run_helm(helm, "template", "duban", str(CHART), "--values", str(PROVINCE),
                           "--set", f"services.{service}.autoscaling.enabled=true",
                           "--set", f"services.{service}.autoscaling.maxReplicas=25")
        assert scaling.returncode != 0
        assert f"services.{service}.autoscaling.maxReplicas (25) exceeds kafka.partitions (24)" in scaling.stderr


def test_an_autoscaled_deployment_leaves_its_replica_count_to_the_autoscaler(province):
    autoscalers = of_kind(province, "HorizontalPodAutoscaler")
    assert set(autoscalers) == {"intake", "tracker", "reporting"}  # as values-province.yaml enables them
    for name, deployment in of_kind(province, "Deployment").items():
        assert ("replicas" in deployment["spec"]) == (name not in autoscalers)
    for name, autoscaler in autoscalers.items():
        assert autoscaler["spec"]["scaleTargetRef"]["name"] == of_kind(province, "Deployment")[name]["metadata"]["name"]


def test_the_province_scrapes_every_service_and_mounts_the_rules_files_and_clients(province, tmp_path):
    [monitor] = of_kind(province, "ServiceMonitor").values()
    # prometheus-operator's ServiceMonitor (monitoring.coreos.com/v1): endpoints name a Service port.
    assert set(monitor["spec"]) <= {"selector", "jobLabel", "endpoints"}
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "15s"}]
    for service in of_kind(province, "Service").values():
        assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    # The rules file the alerts service is given loads as its rules book (a bad key would stop it at start).
    rules = tmp_path / "rules.yaml"
    rules.write_text(named(province, "ConfigMap", "duban-alert-rules")["data"]["rules.yaml"], encoding="utf-8")
    book = load_rules(rules)
    assert book.for_plan("jiangxi-2021").reporting_cadence == "monthly"
    assert book.for_plan("another").reporting_cadence == "quarterly"
    assert environment(province, "alerts")["DUBAN_ALERT_RULES_FILE"] == "/etc/duban/alerts/rules.yaml"
    # So do reporting's 考核 rules, as its scoring book.
    rules.write_text(named(province, "ConfigMap", "duban-scoring-rules")["data"]["rules.yaml"], encoding="utf-8")
    scoring, _ = load_scoring_rules(rules)
    assert scoring.for_plan("jiangxi-2021").indicator_deductions == {"未出庭应诉案件数": 2}
    assert scoring.for_plan("another").reporting_cadence == "quarter"
    assert environment(province, "reporting")["DUBAN_SCORING_RULES_FILE"] == "/etc/duban/reporting/rules.yaml"
    for service in SERVICES:
        assert environment(province, service)["DUBAN_CLIENTS_FILE"] == "/etc/duban/clients/clients.yaml"



@pytest.mark.parametrize("misspelt", ["services.tracker.replica=3", "kafka.partition=24", "config.LOG_LEVEL=DEBUG"])
def test_a_misspelt_value_fails_the_render_instead_of_being_ignored(helm, misspelt):
    """values.schema.json: a key the chart does not read (or a setting without DUBAN_) is refused by name."""
    rendered = run_helm(helm, "template", "duban", str(CHART), "--set", misspelt)
    assert rendered.returncode != 0
    assert misspelt.split("=")[0].rsplit(".", 1)[1] in rendered.stderr
