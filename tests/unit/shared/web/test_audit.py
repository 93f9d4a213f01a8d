"""The audit trail's middleware: what it records of a request (shared/web/audit.py), on a small app whose records
are kept in memory (the real store: tests/e2e/test_permissions.py)."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.web.audit import AuditTrail, audit_router, not_a_change
from shared.web.authentication import Caller, authorise, requires
from shared.web.clients import ClientEntry, Clients, Role, token_hash
from shared.web.problems import install_problem_handlers
from tests.unit.shared.web.test_roles import KeptRecords

TOKEN = "token-of-linchuan"


def audited_app() -> FastAPI:
    app = FastAPI()
    app.state.clients = Clients([ClientEntry(id="linchuan", name="临川区系统", region_code="361002",
                                             token_sha256=token_hash(TOKEN), roles=[Role.reporter])])
    app.state.audit_log = KeptRecords()
    install_problem_handlers(app)
    app.add_middleware(AuditTrail)

    @app.post("/v1/reports/{region_code}", dependencies=[requires(Role.reporter)], status_code=202)
    def report(region_code: str, caller: Caller) -> dict:
        authorise(caller, region_code, "the report")
        return {"event_id": f"event-{region_code}"}

    @app.post("/v1/questions", dependencies=[requires(Role.reporter)], openapi_extra=not_a_change())
    def question() -> dict:
        return {"counts": True}

    @app.get("/v1/reports", dependencies=[requires(Role.reporter)])
    def reports() -> list:
        return []

    return app


def test_accepted_changes_and_refusals_are_recorded_with_who_what_where_and_the_event_id():
    app = audited_app()
    client = TestClient(app, client=("10.1.2.3", 50000))
    sent = {"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "192.0.2.7"}
    assert client.post("/v1/reports/361002901", headers=sent).status_code == 202
    assert client.post("/v1/questions", headers=sent).status_code == 200  # a question: not a change
    assert client.get("/v1/reports", headers=sent).status_code == 200  # a read: not a change
    assert client.post("/v1/reports/361003", headers=sent).status_code == 403
    accepted, refused = app.state.audit_log.records
    assert {key: accepted[key] for key in ("outcome", "status", "client_id", "client_name", "roles", "scope", "role",
                                           "region_code", "method", "path", "route", "address", "forwarded_for",
                                           "event_ids", "reason")} == {
        "outcome": "accepted", "status": 202, "client_id": "linchuan", "client_name": "临川区系统",
        "roles": ["reporter"], "scope": "361002", "role": "reporter", "region_code": "361002901",
        "method": "POST", "path": "/v1/reports/361002901", "route": "/v1/reports/{region_code}",
        "address": "10.1.2.3", "forwarded_for": "192.0.2.7", "event_ids": ["event-361002901"], "reason": None}
    assert (refused["outcome"], refused["status"], refused["region_code"], refused["event_ids"]) == (
        "refused", 403, "361002", [])
    assert "361003" in refused["reason"] and refused["at"] >= accepted["at"]


def test_the_trail_is_read_from_a_time_given_as_iso_text_only():
    # pydantic alone reads `since=0.5` as half a second after 1970: the fuzz run found it accepted.
    app = FastAPI()
    app.state.clients = Clients([ClientEntry(id="city", name="抚州市依法治市办", region_code="361000",
                                             token_sha256=token_hash(TOKEN), roles=[Role.admin])])
    app.state.audit_log = KeptRecords()
    install_problem_handlers(app)
    app.include_router(audit_router())
    admin = {"Authorization": f"Bearer {TOKEN}"}
    for since in ("0.5", "1764547200", "yesterday"):
        refused = TestClient(app).get("/v1/audit", params={"since": since}, headers=admin)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "query.since", since
