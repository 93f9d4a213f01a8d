"""The documentation pages every service serves, from assets vendored in shared/web/static (no CDN: the
services run on government intranets that reach no outside network).

- `/docs` (Swagger UI) and `/redoc` (ReDoc) render the service's OpenAPI document;
- `/asyncapi.json` is the AsyncAPI 3.0 document of duban's topics (shared/contracts/asyncapi.py), `/asyncapi`
  renders it (the AsyncAPI React component's standalone bundle);
- `/schemas/{event-type}.json` is one event's JSON Schema, for integrators' validators.

The vendored assets, with their licences beside them (static/*/LICENSE): swagger-ui-dist 5.35.0 (Apache-2.0),
redoc 2.5.4 (MIT), @asyncapi/react-component 2.6.5 (Apache-2.0), as published on npm.
"""

import json
from importlib.metadata import version
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from shared.contracts import Topics
from shared.contracts.asyncapi import EVENT_MODELS, asyncapi_document, event_schema
from shared.settings import ServiceSettings
from shared.web.openapi import problem_documenting_openapi
from shared.web.problems import Problem

STATIC = Path(__file__).parent / "static"
ASSETS = "/docs-assets"

ASYNCAPI_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" href="{assets}/swagger-ui/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/asyncapi-react/default.min.css">
</head>
<body>
<div id="asyncapi"></div>
<script src="{assets}/asyncapi-react/index.js"></script>
<script>
AsyncApiStandalone.render({{
  schema: {{url: {document_url}, options: {{method: "GET"}}}},
  config: {{show: {{sidebar: true}}}},
}}, document.getElementById("asyncapi"));
</script>
</body>
</html>
"""


def docs_router(title: str, asyncapi: dict) -> APIRouter:
    """The pages and documents above; URLs are under the app's root path, so a service behind a path-prefixing
    proxy still finds its assets."""
    router = APIRouter(include_in_schema=False)

    def root(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    @router.get("/docs")
    def swagger_ui(request: Request) -> HTMLResponse:
        assets = root(request) + ASSETS
        return get_swagger_ui_html(
            openapi_url=f"{root(request)}/openapi.json", title=f"{title} – Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{assets}/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None})  # its default validator is an outside service

    @router.get("/redoc")
    def redoc(request: Request) -> HTMLResponse:
        assets = root(request) + ASSETS
        return get_redoc_html(
            openapi_url=f"{root(request)}/openapi.json", title=f"{title} – ReDoc",
            redoc_js_url=f"{assets}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/swagger-ui/favicon-32x32.png", with_google_fonts=False)

    @router.get("/asyncapi")
    def asyncapi_view(request: Request) -> HTMLResponse:
        return HTMLResponse(ASYNCAPI_PAGE.format(
            title=f"{title} – AsyncAPI", assets=root(request) + ASSETS,
            document_url=json.dumps(f"{root(request)}/asyncapi.json")))

    @router.get("/asyncapi.json")
    def asyncapi_json() -> JSONResponse:
        return JSONResponse(asyncapi)

    @router.get("/schemas/{event_type}.json")
    def schema(event_type: str) -> JSONResponse:
        if event_type not in EVENT_MODELS:
            raise Problem(404, "No such event type", f"duban has no event type {event_type!r}; it has "
                          f"{', '.join(EVENT_MODELS)}.", slug="unknown-event-type")
        return JSONResponse(event_schema(event_type), media_type="application/schema+json")

    return router


def install_docs(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve the pages on an app made with `docs_url=None, redoc_url=None` (FastAPI's own load from a CDN), and
    document its problem responses in its OpenAPI document (shared/web/openapi.py)."""
    asyncapi = asyncapi_document(Topics(settings.topic_prefix), settings.kafka_bootstrap_servers, version("duban"))
    app.mount(ASSETS, StaticFiles(directory=STATIC), name="docs-assets")
    app.include_router(docs_router(app.title, asyncapi))
    app.openapi = problem_documenting_openapi(app)
