"""RFC 9457 problem details for every HTTP error a duban service returns."""

import json

import structlog
from asgi_correlation_id.context import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route

from shared.logging import REQUEST_ID_HEADER

PROBLEM_JSON = "application/problem+json"

log = structlog.get_logger()


class Problem(Exception):
    """Raised by a route to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str, *, slug: str, headers: dict[str, str] | None = None,
                 **extensions):
        super().__init__(detail)
        self.status, self.title, self.detail, self.slug, self.headers = status, title, detail, slug, headers
        # RFC 9457 extension members, e.g. `errors` naming each field or row.
        self.extensions = extensions


def unknown_measure(measure_id: str) -> Problem:
    """404 for a measure the service does not hold (detail in Chinese: the dashboard shows it)."""
    return Problem(404, "Measure not found", f"督办系统中没有措施 {measure_id!r}。", slug="not-found")


def unknown_unit(unit: str, measure_id: str | None = None) -> Problem:
    """404 for a unit with no assignment (of `measure_id`, when given)."""
    of = f"措施 {measure_id!r} " if measure_id else ""
    return Problem(404, "Unit not found", f"{of}没有交办给单位 {unit!r} 的任务。", slug="not-found")


def unknown_region(region_code: str) -> Problem:
    """404 for a region the registry (单位名录) does not name."""
    return Problem(404, "Region not found", f"单位名录中没有区划 {region_code!r}。", slug="not-found")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON

    def render(self, content) -> bytes:
        # A detail may quote what the client sent, lone surrogates included: "backslashreplace" writes one as
        # its JSON escape (\\ud800), so the document stays valid JSON instead of failing to encode.
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


def problem_response(request: Request, status: int, title: str, detail: str, slug: str, **extra) -> JSONResponse:
    body = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return ProblemResponse(body, status_code=status)


def field_name(location: tuple) -> str:
    # ("body", "data", "percent_complete") -> "data.percent_complete"; the body prefix says nothing.
    parts = [str(part) for part in location if part != "body"]
    return ".".join(parts) or "body"


def validation_errors(error) -> list[dict]:
    """A pydantic ValidationError in the shape of intake's 422 `errors`, each naming its field."""
    return [{"field": field_name(item["loc"]), "message": item["msg"], "code": item["type"]}
            for item in error.errors()]


def install_problem_handlers(app: FastAPI) -> None:
    """Every error as a problem document: the request's own (422; 413 and 429 from shared/web/limits.py), raised
    Problems, HTTP errors, the database unreachable (503 with Retry-After), and any unexpected error (500, logged
    with its traceback: a 500 is duban's fault and is fixed, never the answer)."""

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected_error", path=request.url.path, method=request.method)
        response = problem_response(request, 500, "Internal error",
                                    f"duban 未能答复此请求（{type(error).__name__}），已记入日志。",
                                    "internal-error")
        # Answered outside every middleware (Starlette's ServerErrorMiddleware): the request id, which finds the
        # logged traceback, is echoed here.
        if request_id := correlation_id.get():
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    @app.exception_handler(ConnectionFailure)
    async def database_unavailable(request: Request, error: ConnectionFailure) -> JSONResponse:
        # The database away is no fault of the request nor of duban's code: 503, to be retried (/readyz says so).
        log.warning("database_unavailable", path=request.url.path, error=repr(error)[:300])
        response = problem_response(request, 503, "Database unavailable",
                                    "数据库暂时无法应答，请稍后重试。", "database-unavailable")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = validation_errors(error)
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return problem_response(
            request, 422, "Invalid request", f"请求不符合接口约定：{fields}",
            "validation-error", errors=errors,
        )

    @app.exception_handler(Problem)
    async def raised_problem(request: Request, problem: Problem) -> JSONResponse:
        response = problem_response(
            request, problem.status, problem.title, problem.detail, problem.slug, **problem.extensions)
        response.headers.update(problem.headers or {})
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        response = problem_response(
            request, error.status_code, str(error.detail), str(error.detail), f"http-{error.status_code}"
        )
        response.headers.update(error.headers or {})
        if error.status_code == 405:
            response.headers["Allow"] = allowed_methods(request)
        return response


def allowed_methods(request: Request) -> str:
    """`Allow` of a 405 (RFC 9110 §15.5.6): every method some route serves on the request's path. Starlette names only
    the first route that matched the path, and several routers may serve one path (GET and POST /v1/subscriptions)."""
    return ", ".join(sorted({method for route in request.app.router.routes if isinstance(route, Route)
                             and route.matches(request.scope)[0] is not Match.NONE for method in route.methods or ()}))
