"""Property-based fuzzing of every service's HTTP API from its own OpenAPI document (schemathesis), each service
running in this process with its lifespan (uvicorn on a loopback port), on the real broker and database, with a
clients file. (schemathesis's own in-process ASGI transport ends an app's lifespan after each operation's test,
and a service's lifespan closes its database client for good.)

Every operation of intake, tracker, alerts and reporting gets generated requests, valid and invalid (schemathesis's
examples and fuzzing phases, and in the long run its coverage phase), and every answer must pass every check
schemathesis has: no 5xx, the status, media type, headers and body its operation declares (problem documents
included), invalid data refused with a 4xx, valid data not refused as invalid. Four cases in five go as the city's
admin (past authentication, into the route); the others (an operation's 2nd, 7th, 12th…) go with no `Authorization`
header or with a token no service knows, and must be answered 401 with a problem document wherever the route takes
a token (or 400 or 422 for a body that cannot be read at all, which FastAPI answers before the route checks the
token).

The short run (`make test`) is FUZZ_EXAMPLES generated cases per operation in the fuzzing phase (a few hundred in
all), with a fixed seed so CI sees the same cases every time; the long run (`make fuzz`: DUBAN_FUZZ_EXAMPLES=60
DUBAN_FUZZ_COVERAGE=1) is the same test with many more. Each service's figures (cases, answers by status) are printed
at its end.
"""

import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from pymongo import MongoClient

from deploy.local.processes import free_port
from services.alerts.main import create_app as create_alerts
from services.alerts.settings import AlertsSettings
from services.intake.main import create_app as create_intake
from services.intake.settings import IntakeSettings
from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from shared.web.clients import new_token, token_hash
from tests.support.apps import alerts_settings, serving

# schemathesis's strategies draw from `random` themselves (a Hypothesis deprecation it has to answer, not duban).
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")

FUZZ_EXAMPLES = int(os.environ.get("DUBAN_FUZZ_EXAMPLES", "4"))
# schemathesis's coverage phase: every boundary and every kind of wrong value of every parameter, deterministically
# (about 4,300 cases over the four services): the long run's, too many for the suite's.
COVERAGE = os.environ.get("DUBAN_FUZZ_COVERAGE", "0") == "1"
SEED = 20261201
ADMIN, UNKNOWN = new_token(), new_token()
UNAUTHENTICATED_EVERY = 5  # one case in five of an operation goes without the admin's token
# Webhook and channel URLs go to this documentation network (RFC 5737), allow-listed for the run: a generated host
# name would be looked up in DNS and a generated public address could be called, and neither belongs in a test.
WEBHOOK_NETWORK, WEBHOOK_HOST = "203.0.113.0/24", "203.0.113.7"

# What schemathesis's positive_data_acceptance takes by default as a schema-valid request not refused (a 5xx fails
# not_a_server_error instead).
ACCEPTED_AS_VALID = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# A schema-valid request may still be refused (422) by a rule no JSON Schema can state; only these operations may
# answer so to positive data, each for the reason given. Every other check stays as it is everywhere.
BEYOND_THE_SCHEMA = [
    # an upload's content (a plan, a ledger workbook, an evidence file, a registry YAML), checked by its first bytes
    # and parsed: the document can only say "binary"
    {"include-path": ["/v1/plans:parse", "/v1/plans:import", "/v1/ledgers:import", "/v1/evidence"],
     "include-method": "POST"},
    # a registry's consistency across its regions (unique codes and names, parents one level up)
    {"include-path": "/v1/registry", "include-method": "POST"},
    # unit ids the registry must hold (they change with every registry published)
    {"include-path": "/v1/unit-mappings/{name}", "include-method": "PUT"},
    # a year or period not begun yet (422 year-not-begun, period-not-begun: services/reporting/domain/years.py):
    # today's date, which a static document cannot state
    {"include-path": ["/v1/scores", "/v1/scores/units/{unit}", "/v1/reports/annual", "/v1/reports/annual.xlsx",
                      "/v1/reports/annual.docx", "/v1/reports/regions/{region_code}/lights",
                      "/v1/reports/regions/{region_code}/bulletin.docx"], "include-method": "GET"},
]
# Every case carries the admin's token, fixed (schemathesis neither generates nor mutates a configured header), unless
# the test takes it away.
CONFIG = schemathesis.Config.from_dict({
    "seed": SEED, "headers": {"Authorization": f"Bearer {ADMIN}"}, "phases": {"coverage": {"enabled": COVERAGE}},
    "operations": [{**operations, "checks": {"positive_data_acceptance": {
        "expected-statuses": [*ACCEPTED_AS_VALID, "422"]}}} for operations in BEYOND_THE_SCHEMA]})


@dataclass
class Tally:
    """What one service's run sent and got: cases per operation, answers by status."""

    cases: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    unauthenticated: int = 0

    def line(self, service: str, seconds: float) -> str:
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        return (f"fuzz {service}: {self.cases.total()} cases over {len(self.cases)} operations in {seconds:.0f} s "
                f"({self.unauthenticated} without the admin's token); answers {statuses}")


def ready(url: str) -> bool:
    return httpx.get(f"{url}/readyz", timeout=5).status_code == 200


def intake(values: dict, clients_file: str, stack: ExitStack) -> FastAPI:
    """intake, with a tracker of its own on a socket to ask (the ledger template, the loop's steps)."""
    tracker = create_tracker(TrackerSettings(**values, clients_file=clients_file, rate_limit=""))
    tracker_url = stack.enter_context(serving(tracker, ready, timeout=120))
    return create_intake(IntakeSettings(**values, clients_file=clients_file, rate_limit="", tracker_url=tracker_url,
                                        tracker_token=ADMIN))


def tracker(values: dict, clients_file: str, stack: ExitStack) -> FastAPI:
    return create_tracker(TrackerSettings(**values, clients_file=clients_file, rate_limit=""))


def alerts(values: dict, clients_file: str, stack: ExitStack) -> FastAPI:
    return create_alerts(alerts_settings(values, clients_file=clients_file, rate_limit="",
                                         webhook_allowed_networks=[WEBHOOK_NETWORK]))


def reporting(values: dict, clients_file: str, stack: ExitStack) -> FastAPI:
    # The operations page reads the other services' /metrics: here a port nobody listens on, so it shows them down.
    nowhere = f"http://127.0.0.1:{free_port()}"
    return create_reporting(ReportingSettings(**values, clients_file=clients_file, rate_limit="",
                                              metrics_targets={"intake": nowhere, "tracker": nowhere,
                                                               "alerts": nowhere}))


SERVICES: dict[str, Callable[[dict, str, ExitStack], FastAPI]] = {
    "intake": intake, "tracker": tracker, "alerts": alerts, "reporting": reporting}
# Each service's document, from an app built with default settings (nothing connects until a lifespan starts); the
# fixture checks that the app under test serves the same one.
DOCUMENTS = {"intake": create_intake(IntakeSettings()).openapi(),
             "tracker": create_tracker(TrackerSettings()).openapi(),
             "alerts": create_alerts(AlertsSettings()).openapi(),
             "reporting": create_reporting(ReportingSettings()).openapi()}


@dataclass
class Service:
    name: str
    url: str
    tally: Tally = field(default_factory=Tally)


@pytest.fixture(scope="module")
def service(request, infrastructure, tmp_path_factory) -> Iterator[Service]:
    """The service named by the test's parameter, started (lifespan, broker, database) and ready, for every operation
    of its test; topics and a database of its own."""
    namespace = f"t{uuid.uuid4().hex[:10]}"
    values = {"kafka_bootstrap_servers": infrastructure.kafka_bootstrap_servers,
              "mongodb_url": infrastructure.mongodb_url, "topic_prefix": f"{namespace}.",
              "mongodb_database": namespace, "consumer_group": f"{namespace}-tracker"}
    clients_file = tmp_path_factory.mktemp("fuzz") / "clients.yaml"
    clients_file.write_text(f"clients:\n  - {{id: city-admin, name: 抚州市依法治市办, region_code: '361000', "
                            f"token_sha256: {token_hash(ADMIN)}, roles: [admin]}}\n", encoding="utf-8")
    with ExitStack() as stack:
        app = SERVICES[request.param](values, str(clients_file), stack)
        url = stack.enter_context(serving(app, ready, timeout=120))
        assert httpx.get(f"{url}/openapi.json").json() == DOCUMENTS[request.param]
        started, found = time.monotonic(), Service(request.param, url)
        yield found
        figures, plugins = found.tally.line(request.param, time.monotonic() - started), request.config.pluginmanager
        with plugins.get_plugin("capturemanager").global_and_fixture_disabled():  # shown, not captured
            plugins.get_plugin("terminalreporter").write_line(figures)
        drop_database(infrastructure.mongodb_url, namespace)


def drop_database(url: str, name: str) -> None:
    with MongoClient(url) as client:
        client.drop_database(name)


def takes_token(case: schemathesis.Case) -> bool:
    return any(parameter.name.lower() == "authorization" for parameter in case.operation.headers)


def to_documentation_network(body: object) -> None:
    """A generated webhook `url` or channel `endpoint` sent to WEBHOOK_HOST instead (see WEBHOOK_NETWORK)."""
    if not isinstance(body, dict):
        return
    for name in ("url", "endpoint"):
        value = body.get(name)
        if isinstance(value, str) and (parts := urlsplit(value)).hostname:
            port = f":{parts.port}" if parts.port else ""
            body[name] = urlunsplit(parts._replace(netloc=f"{WEBHOOK_HOST}{port}"))


def fuzzing(name: str):
    """The test of one service: every operation of its document, each case sent to the running app and checked."""
    schema = schemathesis.openapi.from_dict(DOCUMENTS[name], config=CONFIG)

    @pytest.mark.timeout(300 + 60 * FUZZ_EXAMPLES)
    @pytest.mark.parametrize("service", [name], indirect=True)
    @schema.parametrize()
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def test(case: schemathesis.Case, service: Service):
        tally = service.tally
        tally.cases[case.operation.label] += 1
        number = tally.cases[case.operation.label]
        with_admin = number % UNAUTHENTICATED_EVERY != 2
        if service.name == "alerts":
            to_documentation_network(case.body)
        # Without the admin's token: none at all (None drops the header), or one no service knows.
        headers = None if with_admin else {"Authorization": None if number % 2 else f"Bearer {UNKNOWN}"}
        response = case.call_and_validate(base_url=service.url, headers=headers)
        tally.statuses[response.status_code] += 1
        # (a case of the coverage phase may send another method than the operation's: 405 whoever asks)
        if not with_admin and takes_token(case) and case.method.upper() == case.operation.method.upper():
            tally.unauthenticated += 1
            # 400 (not UTF-8) or 422 `json_invalid` only for a body that cannot be read at all: FastAPI reads it
            # before the route checks the token.
            unreadable = response.status_code == 422 and "json_invalid" in response.text
            assert response.status_code in (400, 401) or unreadable, response.text
            assert response.headers["content-type"][0].startswith("application/problem+json")

    return test


test_intake_answers_within_its_contract = fuzzing("intake")
test_tracker_answers_within_its_contract = fuzzing("tracker")
test_alerts_answer_within_their_contract = fuzzing("alerts")
test_reporting_answers_within_its_contract = fuzzing("reporting")
