"""The dashboard in a real headless browser (Debian's chromium, driven by Playwright) against a real
reporting service (uvicorn, on the test infrastructure's database) holding a generated city that the real
alerts service has swept: the page loads without console errors, the charts draw, the alert list shows the
alerts, clicking drills down city → county → township → unit → measure, whose page links each assignment's
evidence files (download, and preview for images). As a new user would find it: the
browser sits in New York with its clock just after midnight UTC, and every time shown is China's (every report
was made at 00:30 in Beijing: the day before in UTC); the date field shows the day the figures are for; no
"null" on any page; a township without tasks draws its charts as "暂无数据"; months before the alerts service's
first judgement are "无数据", not 0; drill-down addresses opened directly name every region in the
breadcrumbs. The loop: every table carries the 亮灯 column (红灯/黄灯/绿灯 with its dot), the monthly light table
draws, and the verification queue and a unit's inbox open from their links and drill down to a measure; an item's
timeline (督办事项时间线) opens from a queue row and from an inbox row reached by clicking region → unit → inbox, and
shows every step with who and when (a request returned with its reason, an urge sent by hand, asked again), in
China's time.
Screenshots go to test-artefacts/dashboard/."""

import asyncio
import re
import socket
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from pymongo import AsyncMongoClient, MongoClient

from services.alerts.main import create_app as create_alerts
from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from services.reporting.storage.collections import ReportingStore
from services.reporting.usecases.record import record as record_events
from shared.contracts import AssignmentUpdated, AssignmentUrged, CompletionRequested, CompletionReturned
from shared.domain.calendar import CHINA, local_date, today_in_china
from tests.support.alerts_inputs import seed_city
from tests.support.apps import alerts_settings, running, serving
from tests.support.browser import (
    BROWSER_CLOCK,
    FLAGS,
    canvas_drawn,
    chromium_or_skip,
    no_missing_words,
    record_faults,
)
from tests.support.cities import record_city
from tests.unit.reporting.generated import generate_city

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "dashboard"
CITY = generate_city(townships=26, measures=12, assignments=1_200, departments=(8, 4, 1), seed=21,
                     today=date(2026, 11, 22))
# A township of 演示县1 that holds no task: its figures are all zero, its charts empty.
EMPTY_TOWNSHIP = "361002199"
CITY.registry["regions"].append({
    "code": EMPTY_TOWNSHIP, "name": "无任务演示镇", "level": "township", "parent_code": "361002", "gbt": False,
    "synthetic": True, "units": [{"unit_id": f"{EMPTY_TOWNSHIP}.government", "name": "无任务演示镇政府",
                                  "kind": "government", "aliases": []}]})
PHOTO = {"id": "6650c0ffee0000000000abcd", "name": "现场照片.jpg", "sha256": "a" * 64, "content_type": "image/jpeg",
         "size": 2048}  # a stored evidence file (intake's), cited by every report
INTAKE = "http://intake.example.gov.cn:8000"
FIRST_JUDGED = date(2026, 9, 30)  # the alerts service's first judgement (episodes of that day): flags from then on
LIT = date(2026, 11, 22)  # the lights judged on FIRST_JUDGED and on this day (GeneratedCity.light_events)
ISSUED = datetime(2022, 1, 4, 1, tzinfo=UTC)  # the measures published (交办), before any report


def just_after_midnight_in_china(instant: datetime) -> datetime:
    """00:30 in Beijing on the instant's China day: the day before in UTC, the same day in China."""
    return datetime.combine(local_date(instant), time(0, 30), CHINA)


# Every report made at 00:30 in Beijing, with a narrative and evidence.
REPORTS = [{**p, "_id": f"e-{p['_id']}", "narrative": "已召开专题会议推进", "evidence": ["会议纪要.pdf"],
            "evidence_files": [PHOTO], "reported_at": just_after_midnight_in_china(p["reported_at"]),
            "completed_at": p["completed_at"] and just_after_midnight_in_china(p["completed_at"])}
           for p in CITY.progress]


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
    reports = REPORTS
    # Reporting and alerts each learn the city from its events, recorded into their own collections (as their
    # consumers would); the alerts service's sweep then judges it and publishes the alerts reporting counts.
    asyncio.run(record(settings_values, reports))
    asyncio.run(sweep(settings_values))
    # Every request refreshes the read model (incrementally), so the page shows the alert events once consumed.
    app = create_app(ReportingSettings(**settings_values, snapshot_max_age_seconds=0, home_region_code="361000",
                                       evidence_url=INTAKE))
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
        await record_city(database, CITY, reports, alert_days=[FIRST_JUDGED], light_days=[FIRST_JUDGED, LIT],
                          issued=ISSUED, loop_steps=True)
        await record_events(ReportingStore(database), returned_once(reports))
        await seed_city(database, CITY, reports, issued=ISSUED)
    finally:
        await client.close()


def returned_item(reports: list[dict]) -> dict:
    """A completion request waiting whose report came at least three hours before it (room for a first request
    and its return in between)."""
    sent = {f"{r['measure_id']}|{r['unit']}": r["reported_at"] for r in reports}
    return next(v for v in CITY.views() if v["loop_state"] == "completion_requested"
                and v["completion_requested_at"] - sent[f"{v['measure_id']}|{v['unit']}"] >= timedelta(hours=3))


def returned_once(reports: list[dict]) -> list:
    """The item's first request (an hour after its report), returned by its measure's lead unit an hour later (its
    state says returned once) and urged by hand half an hour after that, before the request that waits
    (GeneratedCity.loop_events)."""
    item = returned_item(reports)
    key = f"{item['measure_id']}|{item['unit']}"
    reported = next(r["reported_at"] for r in reports if r["_id"] == f"e-{key}")
    lead = next(v["unit"] for v in CITY.views() if v["measure_id"] == item["measure_id"] and v["role"] == "lead")
    who = {"measure_id": item["measure_id"], "unit": item["unit"], "region_code": item["region_code"]}
    first, back, urged = reported + timedelta(hours=1), reported + timedelta(hours=2), reported + timedelta(hours=2.5)
    state = next(e for e in CITY.events(reports, ISSUED) if e.id == f"{key}#1").data.model_dump()
    return [CompletionRequested(id=f"{key}#first-request", source="test", time=first, data={
                **who, "by": f"{item['unit_name']}联络员", "requested_at": first,
                "narrative": "已完成主要工作,申请办结"}),
            CompletionReturned(id=f"{key}#returned", source="test", time=back, data={
                **who, "by": "牵头单位经办人", "returned_at": back, "verifier": "lead_unit", "verifier_unit": lead,
                "reason": "佐证材料不全,请补充会议纪要"}),
            AssignmentUpdated(id=f"{key}#2", source="test", time=back, data={**state, "revision": 2,
                                                                              "returned_count": 1}),
            AssignmentUrged(id=f"{key}#urged", source="test", time=urged, data={
                **who, "alert_key": f"overdue|{key}|", "alert_kind": "overdue", "episode": f"{key}#episode",
                "by": "市依法治市办", "comment": "请于三日内补齐佐证材料", "urged_at": urged,
                "day": local_date(urged), "queued": ["wecom-1"], "already_notified": []})]


async def sweep(settings_values) -> None:
    """The alerts service judges the city on its day, as its periodic sweep would."""
    async with running(create_alerts(alerts_settings(settings_values))) as alerts:
        response = await alerts.post("/v1/alerts:sweep", params={"as_of": "2026-11-22"})
        assert response.status_code == 200 and response.json()["open"] > 0, response.text


def crumbs_of(page) -> list[str]:
    return [crumb.strip() for crumb in page.inner_text("#crumbs").split("›")]


def open_view(page, url: str, ready: str) -> None:
    page.goto(url)
    page.wait_for_selector(f"body[data-ready='{ready}']", timeout=30_000)


def test_the_dashboard_draws_its_charts_and_drills_down_by_clicking(chromium, reporting_url):
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN",
                                    timezone_id="America/New_York")
            page.clock.install(time=BROWSER_CLOCK)
            record_faults(page, errors)
            page.goto(f"{reporting_url}/#/region/361000")
            page.wait_for_selector("body[data-ready='#/region/361000']", timeout=30_000)
            # Nothing chosen: the date field shows the day the service gave the figures for (its today in China).
            today = today_in_china().isoformat()
            assert page.input_value("#as-of") == today and f"截至 {today}" in page.inner_text("#region-title")
            no_missing_words(page)
            page.fill("#as-of", "2026-11-22")
            page.dispatch_event("#as-of", "change")
            page.wait_for_function("document.querySelector('#region-title').textContent.includes('2026-11-22')")
            assert page.inner_text("#region-title").startswith("演示市")
            assert page.input_value("#as-of") == "2026-11-22"
            page.wait_for_timeout(800)  # the charts' entry animation
            page.wait_for_selector("#chart-trend[data-ready='true']", timeout=30_000)
            page.wait_for_timeout(800)
            for chart in ("#chart-status", "#chart-children", "#chart-alerts", "#chart-trend"):
                assert canvas_drawn(page, chart), chart
            assert page.locator("#children tbody tr").count() == 13
            assert page.locator("#ranking tbody tr").count() == 13
            # 亮灯: a column with its dot on every figures table, in Chinese.
            for table in ("#children", "#ranking", "#units", "#measures"):
                assert set(page.locator(f"{table} td.lit").all_inner_texts()) <= {"红灯", "黄灯", "绿灯"}, table
                assert page.locator(f"{table} td.lit .light i").count() > 0, table
            page.wait_for_selector("#lights[data-ready='true']", timeout=30_000)
            assert page.locator("#light-history tbody tr").count() == 14  # the city and its 13 counties
            city_cards = page.inner_text("#cards")
            assert "任务分解数\n1200" in city_cards and "滞后" in city_cards and "未按期报送" in city_cards
            assert page.locator("#alerts tbody tr").count() == 20  # the worst 20 of the city's open alerts
            assert "预警清单" in page.inner_text("h2:has(+ #alerts)")
            assert page.inner_text("#alerts tbody tr:first-child td:first-child") == "严重"
            listed = httpx.get(f"{reporting_url}/v1/reports/regions/361000/alerts", params={"limit": 20}).json()
            shown = page.locator("#alerts tbody tr td:last-child").all_inner_texts()
            assert shown == [datetime.fromisoformat(a["opened_at"]).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
                             for a in listed["rows"]]
            no_missing_words(page)
            trend_tooltips(page)
            page.screenshot(path=str(ARTEFACTS / "1-city.png"), full_page=True)

            page.click("#children tr[data-region='361002']")  # city → county
            page.wait_for_selector("body[data-ready='#/region/361002']")
            assert page.inner_text("#region-title").startswith("演示县1")
            assert page.inner_text("#crumbs").startswith("演示市")
            page.wait_for_timeout(800)
            assert canvas_drawn(page, "#chart-children")
            no_missing_words(page)
            page.screenshot(path=str(ARTEFACTS / "2-county.png"), full_page=True)

            page.click("#children tr[data-region='361002101']")  # county → township
            page.wait_for_selector("body[data-ready='#/region/361002101']")
            assert page.locator("#children").count() == 0 and page.locator("#units tbody tr").count() > 0
            no_missing_words(page)
            page.screenshot(path=str(ARTEFACTS / "3-township.png"), full_page=True)

            page.locator("#units tbody tr").first.click()  # township → unit
            page.wait_for_selector("body[data-view='unit']")
            assert page.locator("#assignments tbody tr").count() > 0
            no_missing_words(page)
            page.screenshot(path=str(ARTEFACTS / "4-unit.png"), full_page=True)

            page.locator("#assignments tbody tr").first.click()  # unit → measure
            page.wait_for_selector("body[data-view='measure']")
            assert page.inner_text("#measure-title").split(". ")[1].startswith("演示措施")
            assert "会议纪要.pdf" in page.inner_text("#history")
            # The assignment's stored evidence: downloaded from intake, and an image previewed in the browser.
            link = page.locator("#assignments a[download]").first
            assert link.inner_text() == "现场照片.jpg"
            assert link.get_attribute("href") == f"{INTAKE}/v1/evidence/{PHOTO['id']}"
            assert page.locator("#assignments a.preview").first.get_attribute("href").endswith("/preview")
            assert "现场照片.jpg" in page.inner_text("#history")
            # Every report was made at 00:30 in Beijing (16:30 UTC the day before): shown at China's time.
            times = page.locator("#history tbody tr td:first-child").all_inner_texts()
            assert times and all(re.fullmatch(r"\d{4}-\d\d-\d\d 00:30", t) for t in times), times
            page.wait_for_timeout(800)
            assert canvas_drawn(page, "#chart-status")
            no_missing_words(page)
            page.screenshot(path=str(ARTEFACTS / "5-measure.png"), full_page=True)

            page.click("#crumbs a[data-hash='#/region/361000']")  # back up by the breadcrumbs
            page.wait_for_selector("body[data-ready='#/region/361000']")
            page.goto(f"{reporting_url}/reports/annual/361000/2025")
            assert "2025年度" in page.inner_text("h1")
            no_missing_words(page)
            page.screenshot(path=str(ARTEFACTS / "6-annual.png"), full_page=True)

            loop_pages(page, reporting_url, REPORTS)
            opened_directly(page, reporting_url, today)
            naming_nothing(page, reporting_url, errors)
        finally:
            browser.close()
    assert errors == []


def trend_tooltips(page) -> None:
    """The trend's first month (before the alerts service's first judgement) says 无数据 for the flags; its last
    month has figures."""
    trend = page.locator("#chart-trend")
    trend.scroll_into_view_if_needed()
    box = trend.bounding_box()
    months = 12
    step = (box["width"] - 100) / months  # the grid's left and right margins: 50 px each
    texts = []
    for month in (0, months - 1):
        trend.hover(position={"x": 50 + step * (month + 0.5), "y": box["height"] / 2})
        page.wait_for_timeout(600)
        texts.append(trend.evaluate("chart => [...chart.children].slice(1).map(d => d.innerText).join('\\n')"))
    before, after = texts
    assert "2025-12" in before and re.search(r"逾期\s*无数据", before) and re.search(r"滞后\s*无数据", before), before
    assert "2026-11" in after and re.search(r"逾期\s*\d+", after) and "无数据" not in after, after
    page.mouse.move(0, 0)


def loop_pages(page, url: str, reports: list[dict]) -> None:
    """The verification queue, from the city's link, lists the requests waiting with their days; a unit's inbox,
    reached by clicking region → unit → inbox, lists what it must sign for, report on, and what was returned; both
    drill to a measure and to an item's timeline."""
    open_view(page, f"{url}/#/region/361000", "#/region/361000")
    page.click("#queue-link")
    page.wait_for_selector("body[data-ready='#/queue/361000']")
    waiting = [v for v in CITY.views() if v["loop_state"] == "completion_requested"]
    assert page.locator("#queue tbody tr").count() == len(waiting) > 0
    assert page.inner_text("#queue-title").startswith("演示市 待核查队列")
    assert crumbs_of(page) == ["演示市", "待核查队列"]
    assert set(page.locator("#queue tbody tr td:nth-child(6)").all_inner_texts()) == {"已申请办结待核查"}
    no_missing_words(page)
    page.screenshot(path=str(ARTEFACTS / "9-verification-queue.png"), full_page=True)
    page.locator("#queue tbody tr").first.click()
    page.wait_for_selector("body[data-view='measure']")

    # The queue's row of the item returned once: its 时间线 link opens the item's timeline.
    item = returned_item(reports)
    hash_ = f"#/timeline/{item['region_code']}/{item['measure_id']}/{item['unit']}"
    page.go_back()
    page.wait_for_selector("body[data-ready='#/queue/361000']")
    page.click(f"#queue a.timeline-link[href='{hash_}']")
    page.wait_for_selector(f"body[data-ready='{hash_}']")
    measure = CITY.measures[int(item["measure_id"].split("-")[1]) - 1]
    assert page.inner_text("#timeline-title").startswith(f"{item['unit_name']} · 措施 {measure['number']}.")
    assert crumbs_of(page)[-2:] == [item["unit_name"], f"措施 {measure['number']} 时间线"]
    steps = [step for step in page.locator("#timeline li").evaluate_all("items => items.map(i => i.dataset.type)")
             if not step.startswith(("alert-", "light-"))]
    assert steps == ["assigned", "assignment-signed", "progress-reported", "completion-requested",
                     "completion-returned", "urged", "completion-requested"], steps
    returned = page.inner_text("#timeline li[data-type='completion-returned']")
    assert "退回" in returned and "佐证材料不全,请补充会议纪要" in returned and "牵头单位" in returned
    urge = page.inner_text("#timeline li[data-type='urged']")
    assert "督办催办(逾期)" in urge and "督办:市依法治市办" in urge and "督办意见:请于三日内补齐佐证材料" in urge
    assert "已推送 1 个通知渠道" in urge and "督办催办 1 次" in page.inner_text("#view")
    assert "现场照片.jpg" in page.locator("#timeline li[data-type='completion-requested']").last.inner_text()
    cards = page.inner_text("#timeline-cards")
    assert "当前环节\n已申请办结待核查" in cards and "退回次数\n1" in cards
    # The report was made at 00:30 in Beijing: shown at China's time.
    assert re.search(r"\d{4}-\d\d-\d\d 00:30", page.inner_text("#timeline li[data-type='progress-reported']"))
    no_missing_words(page)
    page.screenshot(path=str(ARTEFACTS / "11-timeline.png"), full_page=True)
    page.click("#measure-link")  # and on to its measure
    page.wait_for_selector("body[data-view='measure']")

    # Region → unit → inbox → the timeline of an item to sign for.
    unit = next(v for v in CITY.views() if v["loop_state"] is None and v["role"] and len(v["region_code"]) == 9)
    code = unit["region_code"]
    open_view(page, f"{url}/#/region/{code}", f"#/region/{code}")
    page.click(f"#units tr[data-unit='{unit['unit']}']")
    page.wait_for_selector(f"body[data-ready='#/unit/{code}/{unit['unit']}']")
    page.click("#inbox-link")
    page.wait_for_selector(f"body[data-ready='#/inbox/{code}/{unit['unit']}']")
    assert "待办事项" in page.inner_text("#inbox-title")
    assert crumbs_of(page)[-2:] == [unit["unit_name"], "待办事项"]
    assert page.locator("#to-sign tbody tr[data-measure]").count() > 0
    no_missing_words(page)
    page.screenshot(path=str(ARTEFACTS / "10-inbox.png"), full_page=True)
    page.locator("#to-sign a.timeline-link").first.click()
    page.wait_for_selector("body[data-view='timeline']")
    assert "当前环节\n待签收" in page.inner_text("#timeline-cards")
    assert page.locator("#timeline li").first.get_attribute("data-type") == "assigned"
    assert "交办" in page.inner_text("#timeline li:first-child")
    assert crumbs_of(page)[-2] == unit["unit_name"]
    no_missing_words(page)
    page.screenshot(path=str(ARTEFACTS / "12-timeline-to-sign.png"), full_page=True)
    page.click("#crumbs a[data-hash^='#/unit/']")  # back to the unit by the breadcrumbs
    page.wait_for_selector(f"body[data-ready='#/unit/{code}/{unit['unit']}']")


def naming_nothing(page, url: str, errors: list[str]) -> None:
    """An address naming no measure: the page says so, and its breadcrumbs lead home, not on from the last view;
    then the operations page (运行监控) opened by its address: its breadcrumbs name the home region."""
    seen = len(errors)
    open_view(page, f"{url}/#/measure/no-such-measure/361002101", "error")
    assert "加载失败" in page.inner_text("#view")
    assert crumbs_of(page) == ["演示市", "加载失败"]
    assert errors[seen:] and all("404" in error for error in errors[seen:])  # that measure's 404, expected here
    del errors[seen:]
    # Opened afresh by its address: no view before it named the home region.
    fresh = page.context.browser.new_page(locale="zh-CN")
    record_faults(fresh, errors)
    try:
        open_view(fresh, f"{url}/#/operations", "#/operations")
        assert crumbs_of(fresh) == ["演示市", "运行监控"]
    finally:
        fresh.close()


def opened_directly(page, url: str, today: str) -> None:
    """Drill-down addresses typed or bookmarked, opened in a fresh page: the breadcrumbs name every region (no
    code), the date field shows the figures' day, an empty township draws its charts as empty."""
    township = CITY.regions["361002101"]["name"]
    open_view(page, f"{url}/#/region/361002101", "#/region/361002101")
    assert crumbs_of(page) == ["演示市", "演示县1", township]
    assert page.input_value("#as-of") == today
    no_missing_words(page)
    page.screenshot(path=str(ARTEFACTS / "7-township-opened-directly.png"), full_page=True)

    unit = "361002101.government"
    open_view(page, f"{url}/#/unit/361002101/{unit}", f"#/unit/361002101/{unit}")
    assert crumbs_of(page) == ["演示市", "演示县1", township, f"{township}政府"]
    no_missing_words(page)

    measure = page.get_attribute("#assignments tbody tr:first-child", "data-measure")
    open_view(page, f"{url}/#/measure/{measure}/361002101", f"#/measure/{measure}/361002101")
    crumbs = crumbs_of(page)
    assert crumbs[:3] == ["演示市", "演示县1", township] and crumbs[3].startswith("措施 ")
    assert page.input_value("#as-of") == today
    no_missing_words(page)

    open_view(page, f"{url}/#/region/{EMPTY_TOWNSHIP}", f"#/region/{EMPTY_TOWNSHIP}")
    assert crumbs_of(page) == ["演示市", "演示县1", "无任务演示镇"]
    page.wait_for_selector("#chart-trend[data-ready='true']", timeout=30_000)
    for chart in ("#chart-status", "#chart-children", "#chart-alerts", "#chart-trend"):
        assert page.get_attribute(chart, "data-empty") == "true", chart
        assert "暂无数据" in page.inner_text(chart) and page.locator(f"{chart} canvas").count() == 0, chart
    cards = page.inner_text("#cards")
    assert "任务分解数\n0" in cards and "平均进度\n—" in cards and "完成率\n—" in cards
    no_missing_words(page)
    page.screenshot(path=str(ARTEFACTS / "8-empty-township.png"), full_page=True)
