"""Every service's documentation pages (Swagger UI, ReDoc, the AsyncAPI view) in a real headless browser with
the network to the outside blocked, as on a government intranet: each page draws its whole document from the
service's vendored assets, with no console error, no failed request and no request leaving 127.0.0.1.

The services are served without their lifespan (no broker, no database): the pages and documents need neither.
Screenshots go to test-artefacts/docs/."""

from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.alerts.main import create_app as create_alerts
from services.intake.main import create_app as create_intake
from services.reporting.main import create_app as create_reporting
from services.tracker.main import create_app as create_tracker
from shared.web.problems import PROBLEM_JSON
from tests.support.apps import serving
from tests.support.browser import FLAGS, chromium_or_skip, record_faults

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "docs"
SERVICES = {"intake": create_intake, "tracker": create_tracker, "alerts": create_alerts,
            "reporting": create_reporting}


@pytest.fixture(scope="module")
def browser():
    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=list(SERVICES))
def service(request):
    """(name, URL, OpenAPI document) of one service on a real socket."""
    app = SERVICES[request.param]()
    with serving(app, lambda url: httpx.get(f"{url}/openapi.json", timeout=1).status_code == 200,
                 lifespan="off") as url:
        yield request.param, url, httpx.get(f"{url}/openapi.json").json()


@pytest.fixture
def page(browser, service):
    with page_reaching_only(browser, service[1]) as page:
        yield page


@contextmanager
def page_reaching_only(browser, url: str):
    """A page that may reach only the service at `url`: any other request is aborted and counted as a fault."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.faults = []
    record_faults(page, page.faults)

    def only_the_service(route):
        if route.request.url.startswith(url + "/"):
            route.continue_()
        else:
            page.faults.append(f"outside: {route.request.url}")
            route.abort("blockedbyclient")

    context.route("**/*", only_the_service)
    yield page
    context.close()


def operations(openapi: dict) -> int:
    return sum(len(path_item) for path_item in openapi["paths"].values())


def screenshot(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=False)


def test_swagger_ui_draws_every_operation_with_its_problem_responses(page, service):
    name, url, openapi = service
    page.goto(f"{url}/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() == operations(openapi)
    assert openapi["info"]["title"] in page.inner_text(".swagger-ui .info .title")
    page.locator(".swagger-ui .opblock-summary").first.click()
    page.wait_for_selector(".swagger-ui .responses-table")
    assert PROBLEM_JSON in page.inner_text(".swagger-ui .opblock.is-open .responses-wrapper")
    screenshot(page, f"{name}-swagger-ui")
    assert page.faults == []


def test_redoc_draws_every_operation(page, service):
    name, url, openapi = service
    page.goto(f"{url}/redoc")
    page.wait_for_selector("[data-section-id^='operation/']", timeout=30_000)
    assert page.locator("[data-section-id^='operation/']").count() == operations(openapi)
    assert openapi["info"]["title"] in page.inner_text("h1")
    screenshot(page, f"{name}-redoc")
    assert page.faults == []


def test_the_asyncapi_view_draws_every_topic_and_message(page, service):
    from playwright.sync_api import expect  # where playwright is missing, the page fixture has skipped already

    name, url, _ = service
    asyncapi = httpx.get(f"{url}/asyncapi.json").json()
    page.goto(f"{url}/asyncapi")
    page.wait_for_selector("#introduction", timeout=30_000)
    text = page.inner_text("#asyncapi")
    assert asyncapi["info"]["title"] in text
    for channel in asyncapi["channels"].values():
        assert channel["address"] in text
    for message in asyncapi["components"]["messages"].values():
        assert message["title"] in text
    payload = page.locator("#message-progress-reported-payload")
    payload.get_by_text("Expand all").first.click()  # a payload's fields are drawn, not an empty schema
    # Expanding redraws the tree after the click returns: wait for the fields rather than read at once.
    expect(payload).to_contain_text("percent_complete", timeout=10_000)
    expect(payload).to_contain_text("not_started", timeout=10_000)
    screenshot(page, f"{name}-asyncapi")
    assert page.faults == []


def test_event_schemas_download_and_an_unknown_type_is_a_problem(service):
    _, url, _ = service
    response = httpx.get(f"{url}/schemas/progress-reported.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/schema+json"
    assert "percent_complete" in response.json()["$defs"]["ProgressReport"]["properties"]
    response = httpx.get(f"{url}/schemas/progress.json")
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM_JSON
    assert "progress-reported" in response.json()["detail"]


def test_the_blocked_network_catches_a_page_that_loads_from_a_cdn(browser):
    """The guard above is real: FastAPI's own /docs (Swagger UI from jsDelivr) is caught."""
    app = FastAPI()
    with serving(app, lambda url: httpx.get(f"{url}/docs", timeout=1).status_code == 200) as url, \
            page_reaching_only(browser, url) as page:
        page.goto(f"{url}/docs")
        page.wait_for_load_state("load")
        assert any(fault.startswith("outside: https://cdn.jsdelivr.net/") for fault in page.faults)
        assert page.locator(".swagger-ui .opblock").count() == 0  # the blank page of the intranet
