"""The alerts API against the real database: alerts' own copies of the registry, the measures and the assignments
(as assignment-updated carries them: units by registry id), the alerts computed on the day asked for."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from services.alerts.main import create_app
from shared.contracts import Measure, Registry
from tests.support.alerts_inputs import assignment_updated, seed_inputs
from tests.support.apps import alerts_settings, running

REGISTRY = Registry.model_validate({"regions": [
    {"code": "361000", "name": "抚州市", "level": "city",
     "units": [{"unit_id": "361000.justice", "name": "市司法局", "kind": "department"}]},
    {"code": "361002", "name": "临川区", "level": "county", "parent_code": "361000",
     "units": [{"unit_id": "361002.government", "name": "临川区政府", "kind": "government"}]},
    {"code": "361002901", "name": "临川演示镇", "level": "township", "parent_code": "361002", "synthetic": True,
     "units": [{"unit_id": "361002901.government", "name": "临川演示镇政府", "kind": "government"}]},
    {"code": "361003", "name": "东乡区", "level": "county", "parent_code": "361000",
     "units": [{"unit_id": "361003.government", "name": "东乡区政府", "kind": "government"}]},
]})
COURT = Measure(
    measure_id="p-1", plan_id="p", region_code="361000", number=1, title="加强行政应诉工作",
    lead_units=["市司法局"], responsible_units=["临川区政府", "临川演示镇政府"], start_date=date(2026, 1, 1),
    deadlines=[{"text": "2026年6月底前", "date": "2026-06-30"}],
    targets=[{"text": "出庭应诉率达95%以上", "indicator": "出庭应诉率", "comparator": ">=", "value": 95.0,
              "unit": "%"}],
)
YEARLY = Measure(
    measure_id="p-2", plan_id="p", region_code="361000", number=2, title="报告法治政府建设情况",
    lead_units=["东乡区政府"], start_date=date(2025, 1, 1),
    deadlines=[{"text": "每年3月1日前", "date": "2025-03-01", "recurrence": "yearly"}],
)


@pytest.fixture
async def judged_state(settings_values):
    """alerts' inputs: the registry, both measures, and each assignment's current state."""
    client = AsyncMongoClient(settings_values["mongodb_url"], tz_aware=True)
    database = client[settings_values["mongodb_database"]]
    june_20, july_2, february_20 = (datetime(2026, 6, 20, 2, tzinfo=UTC), datetime(2026, 7, 2, 2, tzinfo=UTC),
                                    datetime(2026, 2, 20, 2, tzinfo=UTC))
    await seed_inputs(database, registry=REGISTRY, measures=[COURT, YEARLY], assignments=[
        assignment_updated(COURT, "361000.justice", unit_name="市司法局", status="completed", percent_complete=100,
                           period="2026-Q2", reported_at=june_20, completed_at=june_20),
        assignment_updated(COURT, "361002.government", unit_name="临川区政府", role="responsible",
                           region_code="361002", status="in_progress", percent_complete=20, period="2026-Q2",
                           reported_at=july_2, indicator_values={"出庭应诉率": 50.0}),
        assignment_updated(COURT, "361002901.government", unit_name="临川演示镇政府", role="responsible",
                           region_code="361002901"),
        assignment_updated(YEARLY, "361003.government", unit_name="东乡区政府", region_code="361003",
                           status="completed", percent_complete=100, period="2026", reported_at=february_20,
                           completed_at=february_20),
    ])
    yield database
    await client.drop_database(settings_values["mongodb_database"])
    await client.close()


@pytest.fixture
async def alerts(settings_values, judged_state):
    async with running(create_app(alerts_settings(settings_values))) as client:
        yield client


async def get(client, path="/v1/alerts", **params) -> dict | list:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_open_alerts_of_a_day_most_serious_first(alerts):
    # 15 July 2026: the 30 June deadline has passed; the township never reported for Q1 or Q2 (due 10 July).
    page = await get(alerts, as_of="2026-07-15")
    assert page["total"] == 3 and page["as_of"] == "2026-07-15"
    assert [(a["kind"], a["severity"], a["unit"]) for a in page["items"]] == [
        ("silent", "critical", "361002901.government"),
        ("overdue", "warning", "361002.government"),
        ("overdue", "warning", "361002901.government"),
    ]
    silent = page["items"][0]
    assert (silent["unit_name"], silent["region_code"], silent["measure_id"], silent["plan_id"]) == (
        "临川演示镇政府", "361002901", "p-1", "p")
    assert silent["figures"]["missed_periods"] == 2
    assert page["items"][1]["reason"] == "已超过期限“2026年6月底前”(2026-06-30) 15 天，当前进度 20%"


async def test_filters_by_region_and_its_descendants_unit_kind_and_severity(alerts):
    day = {"as_of": "2026-07-15"}
    assert (await get(alerts, region_code="361002", **day))["total"] == 3  # the county and its township
    assert (await get(alerts, region_code="361002901", **day))["total"] == 2
    assert (await get(alerts, region_code="361003", **day))["total"] == 0  # met this year's yearly deadline
    assert [a["kind"] for a in (await get(alerts, unit="361002.government", **day))["items"]] == ["overdue"]
    assert (await get(alerts, kind="silent", **day))["total"] == 1
    assert (await get(alerts, severity="warning", **day))["total"] == 2
    response = await alerts.get("/v1/alerts", params=[("kind", "silent"), ("kind", "overdue"), ("as_of", "2026-07-15")])
    assert response.json()["total"] == 3
    assert (await alerts.get("/v1/alerts", params={"kind": "late"})).status_code == 422


async def test_pages_keep_the_total(alerts):
    everything = (await get(alerts, as_of="2026-07-15"))["items"]
    page = await get(alerts, as_of="2026-07-15", limit=1, offset=1)
    assert (page["total"], page["limit"], page["offset"], page["items"]) == (3, 1, 1, everything[1:2])
    assert (await get(alerts, as_of="2026-07-15", offset=5))["items"] == []


async def test_before_the_deadline_units_are_reminded_and_laggards_found(alerts):
    # 20 June: 10 days before the deadline, 170 of 180 days gone: 序时进度 94.4%.
    page = await get(alerts, as_of="2026-06-20", unit="361002.government")
    assert sorted((a["kind"], a["subject"], a["severity"]) for a in page["items"]) == [
        ("due_soon", "", "info"), ("lagging", "indicator:出庭应诉率", "warning"), ("lagging", "progress", "critical")]


async def test_units_and_regions_flagged(alerts):
    units = await get(alerts, "/v1/alerts/units", as_of="2026-07-15")
    assert [(u["unit"], u["open_alerts"], u["worst"]["kind"]) for u in units] == [
        ("361002901.government", 2, "silent"), ("361002.government", 1, "overdue")]
    regions = {r["region_code"]: r for r in await get(alerts, "/v1/alerts/regions", as_of="2026-07-15")}
    assert {code: (r["units"], r["units_alerted"], r["flagged"]) for code, r in regions.items()} == {
        "361000": (4, 2, True), "361002": (2, 2, True), "361002901": (1, 1, True), "361003": (1, 0, False)}


async def test_the_overdue_list_still_answers_as_before(alerts):
    rows = await get(alerts, "/v1/alerts/overdue", region_code="361000", as_of="2026-07-15")
    assert [(r["unit"], r["unit_name"], r["due"], r["days_overdue"], r["title"]) for r in rows] == [
        ("361002.government", "临川区政府", "2026-06-30", 15, "加强行政应诉工作"),
        ("361002901.government", "临川演示镇政府", "2026-06-30", 15, "加强行政应诉工作")]


async def test_a_plans_own_rules_apply(settings_values, judged_state, tmp_path: Path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("plans:\n  p:\n    silent_grace_days: 20\n    overdue_critical_days: 10\n", encoding="utf-8")
    async with running(create_app(alerts_settings(settings_values, alert_rules_file=rules))) as client:
        page = await get(client, as_of="2026-07-15")
    # Q2's report is not due before 20 July; 15 days overdue is critical past 10.
    assert sorted((a["kind"], a["severity"], a["unit"]) for a in page["items"]) == [
        ("overdue", "critical", "361002.government"), ("overdue", "critical", "361002901.government"),
        ("silent", "warning", "361002901.government")]


async def test_the_lights_of_a_day_red_first_filtered_and_counted(alerts):
    # 15 July 2026: the county and its township overdue (red); the city's justice bureau and 东乡区 done (green).
    page = await get(alerts, "/v1/lights", as_of="2026-07-15")
    assert (page["total"], page["counts"], page["as_of"]) == (4, {"green": 2, "yellow": 0, "red": 2}, "2026-07-15")
    assert [(item["unit"], item["light"], item["reasons"], item["since"]) for item in page["items"]] == [
        ("361002.government", "red", ["overdue"], None), ("361002901.government", "red", ["overdue", "silent"], None),
        ("361000.justice", "green", [], None), ("361003.government", "green", [], None)]
    assert page["items"][0]["unit_name"] == "临川区政府" and page["items"][0]["region_code"] == "361002"
    red_in_county = await get(alerts, "/v1/lights", region_code="361002", light="red", as_of="2026-07-15")
    assert [item["unit"] for item in red_in_county["items"]] == ["361002.government", "361002901.government"]
    # 20 June: both far behind 序时进度 (critical: red), due soon, the township silent since Q1, worst first.
    june = await get(alerts, "/v1/lights", measure_id="p-1", light=["yellow", "red"], as_of="2026-06-20")
    assert [(item["unit"], item["light"], item["reasons"]) for item in june["items"]] == [
        ("361002.government", "red", ["lagging", "due_soon"]),
        ("361002901.government", "red", ["lagging", "silent", "due_soon"])]
    # 1 March: the township behind 序时进度 by less than lagging_critical_points (yellow), the others on track;
    # an open alert carries its assignment's light.
    march = await get(alerts, "/v1/lights", light="yellow", as_of="2026-03-01")
    assert [(item["unit"], item["reasons"]) for item in march["items"]] == [("361002901.government", ["lagging"])]
    assert march["counts"] == {"green": 3, "yellow": 1, "red": 0}
    assert [(a["kind"], a["light"]) for a in (await get(alerts, as_of="2026-03-01"))["items"]] == [
        ("lagging", "yellow")]


@pytest.mark.parametrize(("params", "status"), [
    ({"light": "amber"}, 422), ({"region_code": "36"}, 422), ({"as_of": "2026-13-01"}, 422), ({"limit": 0}, 422),
    ({"region_code": "999999"}, 404),
])
async def test_a_bad_lights_query_is_a_problem_document(alerts, params, status):
    response = await alerts.get("/v1/lights", params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status
