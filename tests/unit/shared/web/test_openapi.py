"""Every error response in every service's OpenAPI document is an RFC 9457 problem document with its real media
type, and the documented `Problem` schema describes the bodies the services really send."""

from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from services.alerts.main import create_app as create_alerts
from services.intake.main import create_app as create_intake
from services.reporting.main import create_app as create_reporting
from services.tracker.main import create_app as create_tracker
from shared.web.authentication import requires
from shared.web.clients import Role
from shared.web.openapi import PROBLEM_STATUSES, problem_documenting_openapi, problem_responses
from shared.web.problems import PROBLEM_JSON, Problem, install_problem_handlers

PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def operations(document: dict):
    for path, path_item in document["paths"].items():
        for method, operation in path_item.items():
            yield f"{method.upper()} {path}", operation


@pytest.mark.parametrize("create_app", [create_intake, create_tracker, create_alerts, create_reporting])
def test_every_error_response_of_every_service_is_a_problem_document(create_app):
    document = TestClient(create_app()).get("/openapi.json").json()
    errors_documented = 0
    for name, operation in operations(document):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                assert response["content"] == PROBLEM_CONTENT, (name, status)
                errors_documented += 1
        if any(parameter["name"] == "authorization" for parameter in operation.get("parameters", [])):
            assert "401" in operation["responses"], name
    assert errors_documented > 0
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail",
                                                                        "instance"]


def small_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None)
    app.state.clients = None  # open: get_client lets every request through
    install_problem_handlers(app)

    @app.get("/plans/{plan_id}", responses=problem_responses(404, 409))
    def plan(plan_id: str, year: Annotated[int, Query(ge=2000)]) -> dict:
        raise Problem(404, "Plan not found", f"No plan {plan_id!r}.", slug="not-found")

    @app.post("/sweeps", dependencies=[requires(Role.planner)])
    def sweep() -> dict:
        return {}

    @app.get("/health")
    def health() -> dict:
        return {}

    app.openapi = problem_documenting_openapi(app)
    return app


def test_declared_statuses_the_bearer_token_and_validation_are_documented_where_they_apply():
    document = small_app().openapi()
    plan = document["paths"]["/plans/{plan_id}"]["get"]["responses"]
    assert sorted(plan) == ["200", "404", "409", "422"]
    assert plan["404"]["description"] == PROBLEM_STATUSES[404]
    assert plan["422"]["description"] == PROBLEM_STATUSES[422]
    assert sorted(document["paths"]["/sweeps"]["post"]["responses"]) == ["200", "401", "403", "422", "429"]  # header
    assert sorted(document["paths"]["/health"]["get"]["responses"]) == ["200"]
    with pytest.raises(KeyError):
        problem_responses(418)


def test_the_documented_schema_describes_the_bodies_really_sent():
    app = small_app()
    client = TestClient(app)
    document = client.get("/openapi.json").json()
    validator = Draft202012Validator({**document, "$ref": "#/components/schemas/Problem"})
    for url, status in [("/plans/p-1?year=2025", 404), ("/plans/p-1?year=1999", 422)]:
        response = client.get(url)
        assert response.status_code == status and response.headers["content-type"] == PROBLEM_JSON
        assert list(validator.iter_errors(response.json())) == []
    assert list(validator.iter_errors({"type": "/problems/x", "title": "t", "status": 200, "detail": "d",
                                       "instance": "/"}))  # not an error status


def test_routes_document_the_problems_they_answer():
    """What a client must handle besides 401 and 422: a publishing route's 503 (Kafka away: retry), a region
    outside the client's (403), an upload past a limit (413), an unknown resource on a read route (404)."""
    intake = TestClient(create_intake()).get("/openapi.json").json()["paths"]
    for path in ("/v1/progress", "/v1/measures", "/v1/registry", "/v1/plans:import"):
        assert {"403", "413", "503"} <= set(intake[path]["post"]["responses"]), path
    assert "413" in intake["/v1/plans:parse"]["post"]["responses"]
    tracker = TestClient(create_tracker()).get("/openapi.json").json()["paths"]
    assert "404" in tracker["/v1/measures/{measure_id}"]["get"]["responses"]
    alerts = TestClient(create_alerts()).get("/openapi.json").json()["paths"]
    assert {"403", "404"} <= set(alerts["/v1/alerts/{key}:acknowledge"]["post"]["responses"])
    assert {"403", "404"} <= set(alerts["/v1/alerts/{key}:urge"]["post"]["responses"])
    assert "404" in alerts["/v1/alerts"]["get"]["responses"]  # a unit or region unknown (fuzz run)
    reporting = TestClient(create_reporting()).get("/openapi.json").json()["paths"]
    assert "404" in reporting["/v1/reports/documents"]["get"]["responses"]  # a region the registry lacks (fuzz run)


def test_a_route_taking_a_body_documents_its_400_and_413():
    # The fuzz run sent bodies that are not UTF-8: FastAPI answers 400, which no route documented.
    app = FastAPI()
    app.openapi = problem_documenting_openapi(app)
    install_problem_handlers(app)

    @app.post("/notes")
    def note(body: dict) -> dict:
        return body

    responses = app.openapi()["paths"]["/notes"]["post"]["responses"]
    assert responses["413"]["description"] == PROBLEM_STATUSES[413] and PROBLEM_JSON in responses["413"]["content"]
    assert responses["400"]["description"] == PROBLEM_STATUSES[400] and PROBLEM_JSON in responses["400"]["content"]
    answer = TestClient(app).post("/notes", content=b"\xff\xfe{", headers={"content-type": "application/json"})
    assert answer.status_code == 400 and answer.headers["content-type"] == PROBLEM_JSON


def test_a_body_declared_from_a_contract_brings_its_definitions_into_the_components():
    # POST /v1/registry declared `{type: object}` and took only what the Registry contract allows.
    document = TestClient(create_intake()).get("/openapi.json").json()
    body = document["paths"]["/v1/registry"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["regions"] and body["additionalProperties"] is False
    assert body["properties"]["regions"]["items"] == {"$ref": "#/components/schemas/Region"}
    assert {"Region", "Unit"} <= set(document["components"]["schemas"])
    assert "$defs" not in body
