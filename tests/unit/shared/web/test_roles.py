"""Every route of every service names the role it needs (README, "Roles and scopes"), and refuses a caller without
a credential (401) or without the role (403), as problem documents, before it reads anything; the refusals are
handed to the audit trail. The services run without their broker and database here: a refusal needs neither."""

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from services.alerts.main import create_app as create_alerts
from services.alerts.settings import AlertsSettings
from services.intake.main import create_app as create_intake
from services.intake.settings import IntakeSettings
from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from shared.web.clients import Role, token_hash

R, P, V, A = Role.reporter, Role.planner, Role.viewer, Role.admin
OPEN = {"/livez", "/readyz", "/health", "/metrics", "/docs", "/redoc", "/asyncapi", "/asyncapi.json",
        "/schemas/{event_type}.json", "/", "/dashboard/{asset:path}"}
AUDIT = {"GET /v1/audit": {A}}
# The permission table of the README, route by route: any one of the roles opens the route (admin opens all).
EXPECTED = {
    "intake": {**AUDIT, "POST /v1/measures": {P}, "POST /v1/progress": {R}, "POST /v1/progress:batch": {R},
               "POST /v1/progress/{event_id}:withdraw": {R}, "POST /v1/plans:parse": {P}, "POST /v1/plans:import": {P},
               "POST /v1/ledgers:import": {R}, "GET /v1/ledgers/template.xlsx": {R}, "POST /v1/registry": {P},
               **{f"POST /v1/measures/{{measure_id}}/units/{{unit}}:{step}": {R}
                  for step in ("sign", "request-completion")},
               **{f"POST /v1/measures/{{measure_id}}/units/{{unit}}:{step}": {P}
                  for step in ("verify", "return", "reopen")},
               "POST /v1/evidence": {R}, **{f"GET /v1/evidence{tail}": {R, P, V}
                                            for tail in ("", "/{evidence_id}", "/{evidence_id}/preview")}},
    "tracker": {**AUDIT, "GET /v1/measures/{measure_id}": {V, R},
                "GET /v1/measures/{measure_id}/units/{unit}/reports": {V, R},
                "GET /v1/units/{unit}/assignments": {V, R},
                "GET /v1/regions/{region_code}": {V, P, R}, "GET /v1/unresolved-units": {P},
                "PUT /v1/unit-mappings/{name}": {P}, "GET /v1/measures/{measure_id}/units/{unit}/timeline": {V, R},
                "POST /v1/loop-steps:judge": {R}},
    "alerts": {**AUDIT, "POST /v1/alerts:sweep": {P}, "POST /v1/alerts/{key}:acknowledge": {P},
               "POST /v1/alerts/{key}:urge": {P}, "GET /v1/alerts/{key}/urges": {V},
               **{f"GET /v1/alerts{tail}": {V} for tail in ("", "/units", "/regions", "/overdue")},
               **{f"{method} /v1/{things}{tail}": {A} for things in ("subscriptions", "channels")
                  for method, tail in (("POST", ""), ("GET", ""), ("GET", "/{id}"), ("DELETE", "/{id}"),
                                       ("GET", "/{id}/deliveries"))},
               "POST /v1/subscriptions/{id}:rotate-secret": {A}, "GET /v1/lights": {V}},
    "reporting": {**AUDIT, "GET /v1/operations": {A}, "GET /reports/annual/{region_code}/{year}": {V},
                  "GET /v1/units/{unit}/inbox": {V, R, P},
                  "GET /v1/regions/{region_code}/verification-queue": {V, R, P},
                  "GET /v1/measures/{measure_id}/units/{unit}/timeline": {V, R, P},
                  **{f"GET /v1/scores{tail}": {V} for tail in ("", "/units/{unit}", "/rules")},
                  **{f"GET /v1/reports/{tail}": {V} for tail in (
                      "regions/{region_code}.xlsx", "regions/{region_code}.csv", "regions/{region_code}",
                      "regions/{region_code}/units", "regions/{region_code}/measures", "regions/{region_code}/chapters",
                      "regions/{region_code}/lead-units", "regions/{region_code}/ranking",
                      "regions/{region_code}/units/{unit}", "regions/{region_code}/alerts", "measures/{measure_id}",
                      "annual.xlsx", "annual", "regions/{region_code}/as-of/{day}", "regions/{region_code}/history",
                      "regions/{region_code}/bulletin.docx", "annual.docx", "documents", "credential",
                      "documents/{document_id}.docx", "regions/{region_code}/lights")}},
}
SERVICES = {"intake": (create_intake, IntakeSettings), "tracker": (create_tracker, TrackerSettings),
            "alerts": (create_alerts, AlertsSettings), "reporting": (create_reporting, ReportingSettings)}
TOKENS = {role: f"token-of-a-{role}" for role in Role}


class KeptRecords:
    """The audit trail's records, in memory (the real store is tests/integration's)."""

    def __init__(self):
        self.records: list[dict] = []

    async def append(self, record: dict) -> None:
        self.records.append(record)


@pytest.fixture(params=list(SERVICES))
def service(request, tmp_path):
    create_app, settings = SERVICES[request.param]
    path = tmp_path / "clients.yaml"
    path.write_text("clients:\n" + "".join(
        f"  - {{id: {role}-key, name: {role}, region_code: '361002', token_sha256: {token_hash(token)}, "
        f"roles: [{role}]}}\n" for role, token in TOKENS.items()), encoding="utf-8")
    app = create_app(settings(clients_file=str(path), rate_limit=""))
    app.state.audit_log = KeptRecords()
    return request.param, app


def declared(app) -> dict[str, set[Role]]:
    """`METHOD path` -> the roles its dependencies ask (None for a route that asks none)."""
    def asked(dependant) -> list:
        return [role for d in dependant.dependencies for role in (getattr(d.call, "roles", ()) + tuple(asked(d)))]

    return {f"{method} {context.path}": set(asked(context.dependant)) or None
            for context in iter_route_contexts(app.routes) if isinstance(context.original_route, APIRoute)
            for method in context.methods if method != "HEAD"}


def normalised(route: str) -> str:
    return re.sub(r"\{(subscription_id|channel_id)\}", "{id}", route)


def test_every_route_but_the_probes_docs_and_dashboard_files_asks_its_role(service):
    name, app = service
    routes = {normalised(route): roles for route, roles in declared(app).items()}
    assert {route for route, roles in routes.items() if roles is None} == {f"GET {path}" for path in OPEN
                                                                           if f"GET {path}" in routes}
    assert {route: roles for route, roles in routes.items() if roles is not None} == EXPECTED[name]


def example(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: {"{region_code}": "361002", "{year}": "2026", "{day}": "2026-06-30",
                                           "{asset:path}": "app.js"}.get(m[0], "x"), path)


def test_a_caller_without_a_credential_or_the_role_is_refused_and_the_refusal_audited(service):
    _, app = service
    client = TestClient(app)
    asked = {route: roles for route, roles in declared(app).items() if roles is not None}
    expected = []  # the audit trail's records: who, for each refusal
    for route, roles in asked.items():
        method, path = route.split(" ", 1)
        body = {"json": {}} if method in ("POST", "PUT") else {}
        anonymous = client.request(method, example(path), **body)
        assert anonymous.status_code == 401 and anonymous.json()["type"] == "/problems/unauthenticated", route
        expected.append(None)
        if lacking := next((role for role in (R, P, V) if role not in roles), None):  # else open to every role
            refused = client.request(method, example(path), headers={"Authorization": f"Bearer {TOKENS[lacking]}"},
                                     **body)
            assert refused.status_code == 403 and refused.json()["type"] == "/problems/missing-role", route
            expected.append(f"{lacking}-key")
    records = app.state.audit_log.records
    assert [r["client_id"] for r in records] == expected and {r["outcome"] for r in records} == {"refused"}
    assert all(r["reason"] and r["address"] for r in records)

