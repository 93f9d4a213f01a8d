"""RFC 9457 problem details for every HTTP error a duban service returns."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raised by a route to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str, *, slug: str, headers: dict[str, str] | None = None,
                 **extensions):
        super().__init__(detail)
        self.status, self.title, self.detail, self.slug, self.headers = status, title, detail, slug, headers
        # RFC 9457 extension members, e.g. `errors` naming each field or row.
        self.extensions = extensions


def problem_response(request: Request, status: int, title: str, detail: str, slug: str, **extra) -> JSONResponse:
    body = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def field_name(location: tuple) -> str:
    # ("body", "data", "percent_complete") -> "data.percent_complete"; the body prefix says nothing.
    parts = [str(part) for part in location if part != "body"]
    return ".".join(parts) or "body"


def validation_errors(error) -> list[dict]:
    """A pydantic ValidationError in the shape of intake's 422 `errors`, each naming its field."""
    return [{"field": field_name(item["loc"]), "message": item["msg"], "code": item["type"]}
            for item in error.errors()]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = validation_errors(error)
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return problem_response(
            request, 422, "Invalid request", f"The request does not match the contract: {fields}",
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
        return response
