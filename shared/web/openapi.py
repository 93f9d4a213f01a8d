"""Problem documents in the OpenAPI document: every error response of every route is RFC 9457
`application/problem+json` (shared/web/problems.py answers nothing else), described by one `Problem` schema.

FastAPI documents its 422 as `application/json` with its own `HTTPValidationError` shape, which duban never
sends; and it cannot know which routes take a client's token. The document is therefore post-processed once:
every 4xx and 5xx response gets the problem media type and schema, and every route that reads the bearer token
(shared/web/authentication.py's `authorization` header) documents its 401, 403 (role or region) and 429 (a
client's rate), every route taking a body its 400 (a body FastAPI cannot parse) and 413 (shared/web/limits.py).
Routes declare the other statuses they answer with `responses=problem_responses(404, 409)`.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from shared.web.problems import PROBLEM_JSON

# Why a duban service answers each problem status; a route's own description, when it gives one, wins.
PROBLEM_STATUSES = {
    400: "The body cannot be read: not JSON, or not UTF-8 (/problems/http-400).",
    401: "No bearer token, or one this service does not know, or expired or revoked (/problems/unauthenticated).",
    403: "The credential lacks the route's role (/problems/missing-role), or does not act for the region the "
         "request is about (/problems/outside-region).",
    404: "No such resource.",
    409: "The request conflicts with what is stored (e.g. an idempotency key reused with another body).",
    413: "The request body passes the route's limit (`x-max-body-bytes`, else 512 KiB), or an upload one of its "
         "limits; `limit` names it.",
    422: "The request does not match the contract; `errors` names each field or row.",
    429: "The client passed its rate (DUBAN_RATE_LIMIT); retry after the `Retry-After` header's seconds.",
    503: "A dependency (Kafka, the database) is unreachable; nothing was accepted, retry later.",
}
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


class FieldError(BaseModel):
    field: str = Field(description="the field or row, dotted: `data.percent_complete`, `row 12.status`")
    message: str
    code: str = Field(description="pydantic's error type or the rule's own code")


class Problem(BaseModel):
    """An RFC 9457 problem document; extension members (`errors`, `limit`, …) may follow."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`/problems/<slug>`: the kind of problem", examples=["/problems/validation-error"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str = Field(description="the request's path")
    errors: list[FieldError] | None = Field(None, description="each field or row at fault (422 and some 413)")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=` for the problem statuses it answers; the media type and schema are added to the
    document by `document_problems`. KeyError for a status duban has no description of."""
    return {status: {"description": PROBLEM_STATUSES[status]} for status in statuses}


def takes_bearer_token(operation: dict) -> bool:
    return any(parameter.get("in") == "header" and parameter.get("name", "").lower() == "authorization"
               for parameter in operation.get("parameters", []))


def document_problems(document: dict) -> dict:
    """The OpenAPI document with problem responses as described above (changed in place and returned)."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["Problem"] = problem_schema
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            # A body a route declares itself (openapi_extra) from a model's JSON Schema: its definitions, referred to
            # as components, become components.
            for body in operation.get("requestBody", {}).get("content", {}).values():
                components.update(body.get("schema", {}).pop("$defs", {}))
            responses = operation.setdefault("responses", {})
            if takes_bearer_token(operation):
                responses.setdefault("401", {"description": PROBLEM_STATUSES[401]})
                responses.setdefault("403", {"description": PROBLEM_STATUSES[403]})
                responses.setdefault("429", {"description": PROBLEM_STATUSES[429]})
            if "requestBody" in operation:
                responses.setdefault("400", {"description": PROBLEM_STATUSES[400]})
                responses.setdefault("413", {"description": PROBLEM_STATUSES[413]})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = content
                    if int(status) in PROBLEM_STATUSES and response.get("description") == "Validation Error":
                        response["description"] = PROBLEM_STATUSES[int(status)]
    for name in FASTAPI_VALIDATION_SCHEMAS:  # described no response any more
        components.pop(name, None)
    return document


def problem_documenting_openapi(app: FastAPI) -> Callable[[], dict]:
    """A replacement for `app.openapi`: FastAPI's document, post-processed once and cached as FastAPI does."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(get_openapi(
                title=app.title, version=app.version, summary=app.summary, description=app.description,
                routes=app.routes, servers=app.servers or None))
        return app.openapi_schema

    return openapi
