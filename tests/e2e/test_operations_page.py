"""The operations page (运行监控) in a real headless browser: a real tracker on the test Kafka and database
applies reports from two districts, one of which last sent days ago; reporting's /v1/operations reads the
tracker's /metrics (and finds intake down); the page shows the quiet district first and marked, the other fresh,
the services' state, the freshness chart drawn, and no fault in the browser. The browser sits in New York with
its clock just after midnight UTC: the times shown are China's all the same, and no missing value prints as a
word. Screenshot in test-artefacts/operations/."""

import asyncio
import contextlib
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from faststream.kafka import KafkaBroker
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Route

from deploy.local.processes import free_port
from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from services.tracker.main import create_app as create_tracker
from services.tracker.settings import TrackerSettings
from shared.contracts import MeasureCreated, ProgressReported, Topics
from shared.domain.calendar import CHINA
from shared.kafka.broker import publish_event
from tests.integration.test_metrics import MEASURE, UNITS, report
from tests.support.apps import serving
from tests.support.browser import BROWSER_CLOCK, browser_page, canvas_drawn, chromium_or_skip, no_missing_words

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "operations"


async def publish(settings_values, quiet_since: datetime) -> None:
    """A report from each district: 临川区's now, 东乡区's sent at `quiet_since` (its CloudEvents time)."""
    topics = Topics(settings_values["topic_prefix"])
    broker = KafkaBroker(settings_values["kafka_bootstrap_servers"])
    await broker.connect()
    try:
        await publish_event(broker, topics.measure_created, MeasureCreated.wrap(MEASURE, source="/test"),
                            MEASURE.measure_id)
        for region_code in UNITS:
            event = ProgressReported.wrap(report(region_code, hours=1), source=f"/districts/{region_code}")
            if region_code == "361003":
                event = event.model_copy(update={"time": quiet_since})
            await publish_event(broker, topics.progress_reported, event, event.data.assignment_key)
    finally:
        await broker.stop()


def metrics_ready(url: str) -> bool:
    return httpx.get(f"{url}/metrics", timeout=1).status_code == 200


def test_the_operations_page_shows_the_quiet_district_and_the_services(settings_values):
    chromium = chromium_or_skip()
    tracker = create_tracker(TrackerSettings(**settings_values, metrics_sample_seconds=1))
    with serving(tracker, metrics_ready) as tracker_url:
        quiet_since = datetime.now(UTC) - timedelta(days=4)
        asyncio.run(publish(settings_values, quiet_since))
        reporting = create_reporting(ReportingSettings(**settings_values, metrics_targets={
            "intake": f"http://127.0.0.1:{free_port()}", "tracker": tracker_url}))
        with serving(reporting, metrics_ready) as reporting_url:
            def both_heard() -> bool:
                return len(httpx.get(f"{reporting_url}/v1/operations", timeout=10).json()["districts"]) == 2

            deadline = time.monotonic() + 60
            while not both_heard():
                if time.monotonic() > deadline:
                    pytest.fail("the tracker's /metrics never showed both districts")
                time.sleep(0.2)

            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            errors: list[str] = []
            with browser_page(chromium, errors, timezone_id="America/New_York") as page:
                page.clock.install(time=BROWSER_CLOCK)
                # The start page's first load is held until the operations page is drawn (a click while the start
                # page still loads from a slow server): let go then, it must not draw over the page asked for.
                held: list[Route] = []
                page.route("**/v1/reports/regions/**",
                           lambda route: route.continue_() if held else held.append(route))
                page.goto(f"{reporting_url}/")
                page.click("#operations")
                page.wait_for_selector("body[data-ready='#/operations']", timeout=30_000)
                assert held, "the start page loaded no region"
                with contextlib.suppress(PlaywrightError):  # the page aborted it: nothing to let go
                    held[0].continue_()
                page.wait_for_load_state("networkidle")
                assert page.locator("#operations-title").count() == 1
                rows = page.locator("#districts tbody tr")
                assert rows.count() == 2
                assert rows.nth(0).get_attribute("data-district") == "361003"
                assert rows.nth(0).get_attribute("class") == "quiet" and "静默" in rows.nth(0).inner_text()
                assert "4.0 天" in rows.nth(0).inner_text()
                # The last event's time, to the second, as China's clock read it (the page may round it down).
                shown = rows.nth(0).locator("td").nth(2).inner_text()
                china = quiet_since.astimezone(CHINA)
                assert shown in {(china - timedelta(seconds=s)).strftime("%Y-%m-%d %H:%M:%S") for s in (0, 1)}, shown
                no_missing_words(page)
                assert "正常" in rows.nth(1).inner_text() and rows.nth(1).get_attribute("class") == ""
                assert "静默区县\n1" in page.inner_text("#operations-cards")
                assert "服务在线\n2/3" in page.inner_text("#operations-cards")
                assert "在线" in page.inner_text("#services tr[data-service='tracker']")
                assert "无法访问" in page.inner_text("#services tr[data-service='intake']")
                assert Topics(settings_values["topic_prefix"]).progress_reported in page.inner_text("#topics")
                page.wait_for_timeout(800)  # the chart's entry animation
                assert canvas_drawn(page, "#chart-freshness")
                page.screenshot(path=str(ARTEFACTS / "operations.png"), full_page=True)

                # Left while its later parts (the monthly trend, the lights) still load, the start page stays as it
                # is until the next page is drawn, with no failure shown for the loads the click aborted.
                page.unroute("**/v1/reports/regions/**")
                later: list[Route] = []

                def hold(route: Route) -> None:
                    later.append(route)

                page.route(re.compile(r"/v1/reports/regions/[^/]+/(history|lights)(\?|$)"), hold)
                page.evaluate("location.hash = ''")
                page.wait_for_selector("body[data-ready^='#/region/']", timeout=30_000)
                page.route("**/v1/operations", hold)
                page.click("#operations")
                page.wait_for_timeout(500)  # the aborted loads' failures, had they been shown
                assert page.locator("#chart-trend").count() == 1  # the start page, still
                assert "加载失败" not in page.inner_text("#view")
                assert len(later) == 3, [route.request.url for route in later]
                for route in later:
                    with contextlib.suppress(PlaywrightError):
                        route.continue_()
                page.wait_for_selector("body[data-ready='#/operations']", timeout=30_000)
                assert page.locator("#districts tbody tr").count() == 2
            assert errors == []
