"""The dashboard in a real headless browser (Debian's chromium, driven by Playwright) against a real
reporting service (uvicorn, on the test infrastructure's database) holding a generated city that the real
alerts service has swept: the page loads without console errors, the charts draw, the alert list shows the
alerts, clicking drills down city → county → township → unit → measure. Screenshots go to
test-artefacts/dashboard/."""

import asyncio
import socket
from datetime import date
from pathlib import Path

import httpx
import pytest
from pymongo import AsyncMongoClient, MongoClient

from services.alerts.main import create_app as create_alerts
from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from tests.support.alerts_inputs import seed_city
from tests.support.apps import alerts_settings, running, serving
from tests.support.browser import FLAGS, canvas_drawn, chromium_or_skip, record_faults
from tests.support.cities import record_city
from tests.unit.reporting.generated import generate_city

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "dashboard"
CITY = generate_city(townships=26, measures=12, assignments=1_200, departments=(8, 4, 1), seed=21,
                     today=date(2026, 11, 22))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_or_skip()


@pytest.fixture
def reporting_url(settings_values):
    client = MongoClient(settings_values["mongodb_url"], tz_aware=True)
    reports = [{**p, "_id": f"e-{p['_id']}", "narrative": "已召开专题会议推进", "evidence": ["会议纪要.pdf"]}
               for p in CITY.progress]
    # Reporting and alerts each learn the city from its events, recorded into their own collections (as their
    # consumers would); the alerts service's sweep then judges it and publishes the alerts reporting counts.
    asyncio.run(record(settings_values, reports))
    asyncio.run(sweep(settings_values))
    # Every request refreshes the read model (incrementally), so the page shows the alert events once consumed.
    app = create_app(ReportingSettings(**settings_values, snapshot_max_age_seconds=0, home_region_code="361000"))
    try:
        with serving(app, alerts_heard, timeout=90) as url:
            yield url
    finally:
        client.drop_database(settings_values["mongodb_database"])
        client.close()


def alerts_heard(url: str) -> bool:
    """Reporting is up and has consumed the sweep's alert events."""
    answer = httpx.get(f"{url}/v1/reports/regions/361000/alerts", params={"limit": 1}, timeout=10)
    return answer.status_code == 200 and answer.json()["total"] > 0


async def record(settings_values, reports: list[dict]) -> None:
    client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    try:
        database = client[settings_values["mongodb_database"]]
        await record_city(database, CITY, reports)
        await seed_city(database, CITY, reports)
    finally:
        await client.close()


async def sweep(settings_values) -> None:
    """The alerts service judges the city on its day, as its periodic sweep would."""
    async with running(create_alerts(alerts_settings(settings_values))) as alerts:
        response = await alerts.post("/v1/alerts:sweep", params={"as_of": "2026-11-22"})
        assert response.status_code == 200 and response.json()["open"] > 0, response.text


def test_the_dashboard_draws_its_charts_and_drills_down_by_clicking(chromium, reporting_url):
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            record_faults(page, errors)
            page.goto(f"{reporting_url}/#/region/361000")
            page.wait_for_selector("body[data-ready='#/region/361000']", timeout=30_000)
            page.fill("#as-of", "2026-11-22")
            page.dispatch_event("#as-of", "change")
            page.wait_for_function("document.querySelector('#region-title').textContent.includes('2026-11-22')")
            assert page.inner_text("#region-title").startswith("演示市")
            page.wait_for_timeout(800)  # the charts' entry animation
            page.wait_for_selector("#chart-trend[data-ready='true']", timeout=30_000)
            page.wait_for_timeout(800)
            for chart in ("#chart-status", "#chart-children", "#chart-alerts", "#chart-trend"):
                assert canvas_drawn(page, chart), chart
            assert page.locator("#children tbody tr").count() == 13
            assert page.locator("#ranking tbody tr").count() == 13
            city_cards = page.inner_text("#cards")
            assert "任务分解数\n1200" in city_cards and "滞后" in city_cards and "未按期报送" in city_cards
            assert page.locator("#alerts tbody tr").count() == 20  # the worst 20 of the city's open alerts
            assert "预警清单" in page.inner_text("h2:has(+ #alerts)")
            assert page.inner_text("#alerts tbody tr:first-child td:first-child") == "严重"
            page.screenshot(path=str(ARTEFACTS / "1-city.png"), full_page=True)

            page.click("#children tr[data-region='361002']")  # city → county
            page.wait_for_selector("body[data-ready='#/region/361002']")
            assert page.inner_text("#region-title").startswith("演示县1")
            assert page.inner_text("#crumbs").startswith("演示市")
            page.wait_for_timeout(800)
            assert canvas_drawn(page, "#chart-children")
            page.screenshot(path=str(ARTEFACTS / "2-county.png"), full_page=True)

            page.click("#children tr[data-region='361002101']")  # county → township
            page.wait_for_selector("body[data-ready='#/region/361002101']")
            assert page.locator("#children").count() == 0 and page.locator("#units tbody tr").count() > 0
            page.screenshot(path=str(ARTEFACTS / "3-township.png"), full_page=True)

            page.locator("#units tbody tr").first.click()  # township → unit
            page.wait_for_selector("body[data-view='unit']")
            assert page.locator("#assignments tbody tr").count() > 0
            page.screenshot(path=str(ARTEFACTS / "4-unit.png"), full_page=True)

            page.locator("#assignments tbody tr").first.click()  # unit → measure
            page.wait_for_selector("body[data-view='measure']")
            assert page.inner_text("#measure-title").split(". ")[1].startswith("演示措施")
            assert "会议纪要.pdf" in page.inner_text("#history")
            page.wait_for_timeout(800)
            assert canvas_drawn(page, "#chart-status")
            page.screenshot(path=str(ARTEFACTS / "5-measure.png"), full_page=True)

            page.click("#crumbs a[data-hash='#/region/361000']")  # back up by the breadcrumbs
            page.wait_for_selector("body[data-ready='#/region/361000']")
            page.goto(f"{reporting_url}/reports/annual/361000/2025")
            assert "2025年度" in page.inner_text("h1")
            page.screenshot(path=str(ARTEFACTS / "6-annual.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
