"""The whole stack through its public interfaces: four service processes on the real broker and database,
loaded as `make run` loads the demo city (registry, the real 抚州 plan, reports from its units)."""

import httpx
import pytest

from deploy.demo.load import load_demo
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def stack(running_stack):
    return running_stack.urls


async def test_the_demo_city_flows_from_intake_to_tracker_alerts_and_reports(stack):
    loaded = load_demo(stack["intake"], stack["tracker"])
    assert loaded["measures"] == 26 + 33 and loaded["progress_reports"] > 600  # the city plan, the counties' 33
    # The loop walked: most signed for, the completed asked to close, most closed out, some waiting, two returned.
    assert loaded["signed"] > loaded["completion_requested"] > loaded["closed_out"] > loaded[
        "awaiting_verification"] > loaded["returned"] == 2
    async with httpx.AsyncClient(timeout=10) as http:
        async def all_reports_and_loop_steps_counted_and_units_resolved():
            figures = (await http.get(f"{stack['reporting']}/v1/reports/regions/361000")).json()
            reported = (figures["completed"] + figures["awaiting_verification"] + figures["in_progress"]
                        + figures["blocked"])
            # Until the registry is applied, measures are assigned by name; then every unit is resolved.
            resolved = (await http.get(f"{stack['tracker']}/v1/unresolved-units")).json() == [
                {"name": "立法项目起草部门", "measures": ["fuzhou-2022-5"], "reports": 0}]
            # Completed once closed out; claimed but not verified apart (the returned units reported again since).
            loop = (figures["completed"], figures["awaiting_verification"]) == (
                loaded["closed_out"], loaded["awaiting_verification"])
            return figures if reported == loaded["assignments_reported"] and loop and resolved else None

        figures = await eventually(all_reports_and_loop_steps_counted_and_units_resolved, timeout=60)
        assert figures["completed"] > 0 and figures["awaiting_verification"] > 0
        queue = (await http.get(f"{stack['reporting']}/v1/regions/361000/verification-queue")).json()
        assert queue["total"] == loaded["awaiting_verification"]
        assert figures["in_progress"] and figures["blocked"] and figures["not_started"]
        # The city plan: 875 registry units across 26 measures, and one name to map; the counties' 33 measures for
        # their townships: each county's lead unit and its townships' governments (11 counties, 23 townships).
        assert figures["assignments"] == 876 + 33 + 3 * 23
        township = (await http.get(f"{stack['reporting']}/v1/reports/regions/361002901")).json()
        assert township["assignments"] == 3 and township["name"] == "临川演示镇"

        async def reports_count_what_the_alerts_service_flags():
            figures = (await http.get(f"{stack['reporting']}/v1/reports/regions/361000")).json()
            listed = (await http.get(f"{stack['reporting']}/v1/reports/regions/361000/alerts")).json()
            judged = (await http.get(f"{stack['alerts']}/v1/alerts",
                                     params={"region_code": "361000", "limit": 1000})).json()
            flagged = {kind: len({(a["measure_id"], a["unit"]) for a in judged["items"] if a["kind"] == kind})
                       for kind in ("lagging", "silent")}
            agree = listed["total"] == judged["total"] and all(figures[k] == n for k, n in flagged.items())
            return judged if agree else None

        # The alerts service re-judges after each report and sweeps every minute; an operator's sweep records
        # everything now (the registry's arrival re-keys units, which no report announces). Reporting reads
        # what it recorded within its snapshot's max age. Both settle only once the alerts service has judged the
        # re-keyed units (its own open count falls for a while): with the townships' 102 assignments that took
        # more than 60 s on a loaded two-core machine.
        # The sweep answers once it has judged ~1,000 assignments and published what it raised: seconds when quiet,
        # past the client's default 10 s on a loaded two-core machine.
        swept = await http.post(f"{stack['alerts']}/v1/alerts:sweep", timeout=120)
        assert swept.status_code == 200, swept.text
        judged = await eventually(reports_count_what_the_alerts_service_flags, timeout=180)
        assert 0 < judged["total"] < 1000

        measure = (await http.get(f"{stack['tracker']}/v1/measures/fuzhou-2022-17")).json()
        linchuan = next(a for a in measure["assignments"] if a["unit"] == "361002.government")
        assert (linchuan["unit_name"], linchuan["region_code"], linchuan["status"], linchuan["percent_complete"]) == (
            "临川区政府", "361002", "in_progress", 80)
        assert [(t["indicator"], t["value"], t["met"]) for t in linchuan["targets"]] == [
            ("行政机关负责人出庭应诉率", 96.5, True)]

        county = (await http.get(f"{stack['reporting']}/v1/reports/regions/361002")).json()
        linchuan_units = (await http.get(f"{stack['reporting']}/v1/reports/regions/361002/units")).json()
        assert county["assignments"] == sum(unit["assignments"] for unit in linchuan_units) > 0

        overdue = (await http.get(f"{stack['alerts']}/v1/alerts/overdue",
                                   params={"region_code": "361000", "as_of": "2026-11-22"})).json()
        assert overdue and not any(row["status"] == "completed" for row in overdue)
        late_for_22 = [row for row in overdue if row["measure_id"] == "fuzhou-2022-22"]  # 2023年底前
        assert late_for_22 and {row["due"] for row in late_for_22} == {"2023-12-31"}

        mapped = await http.put(f"{stack['tracker']}/v1/unit-mappings/立法项目起草部门",
                                json={"unit_ids": ["361000.justice"]})
        assert mapped.json()["measures"] == ["fuzhou-2022-5"]
        assert (await http.get(f"{stack['tracker']}/v1/unresolved-units")).json() == []
        measure = (await http.get(f"{stack['tracker']}/v1/measures/fuzhou-2022-5")).json()
        assert "立法项目起草部门" not in {a["unit"] for a in measure["assignments"]}

        dashboard = await http.get(f"{stack['reporting']}/")
        assert dashboard.status_code == 200 and "法治政府建设" in dashboard.text

        refused = await http.post(f"{stack['intake']}/v1/progress", json={"measure_id": "x"})
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"


async def test_the_operations_page_reads_every_service_of_the_stack_where_it_runs(stack):
    async with httpx.AsyncClient(timeout=10) as http:
        operations = (await http.get(f"{stack['reporting']}/v1/operations")).json()
    assert {row["service"]: (row["up"], row["error"]) for row in operations["services"]} == {
        name: (True, None) for name in stack}


async def test_loading_the_demo_again_as_a_second_make_run_does_counts_no_report_or_loop_step_twice(stack):
    history = f"{stack['tracker']}/v1/measures/fuzhou-2022-17/units/361002.government/reports"
    city = f"{stack['reporting']}/v1/reports/regions/361000"
    async with httpx.AsyncClient(timeout=10) as http:
        before = (await http.get(history)).json()
        assert before, "the first test loaded the demo"
        waiting = (await http.get(f"{stack['reporting']}/v1/regions/361000/verification-queue")).json()["rows"][0]
        timeline = f"{stack['tracker']}/v1/measures/{waiting['measure_id']}/units/{waiting['unit']}/timeline"
        loop_before, figures_before = (await http.get(timeline)).json(), (await http.get(city)).json()
        # The same reports and loop steps under the same Idempotency-Keys: the first event ids again.
        again = load_demo(stack["intake"], stack["tracker"])
        # A report sent after them on the same assignment (one partition, in order) is applied after them.
        marker = {"measure_id": "fuzhou-2022-17", "unit": "临川区政府", "region_code": "361002", "period": "2026-Q3",
                  "percent_complete": 85, "status": "in_progress", "reported_at": "2026-10-09T09:00:00+08:00"}
        assert (await http.post(f"{stack['intake']}/v1/progress", json=marker)).status_code == 202

        async def applied():
            reports = (await http.get(history)).json()
            return reports if len(reports) > len(before) else None

        after = await eventually(applied, timeout=60)
        figures_after = (await http.get(city)).json()
        assert (await http.get(timeline)).json() == loop_before
    assert [r["event_id"] for r in after[:-1]] == [r["event_id"] for r in before]
    assert after[-1]["percent_complete"] == 85
    assert (again["closed_out"], again["awaiting_verification"]) == (
        figures_before["completed"], figures_before["awaiting_verification"])
    assert {k: figures_after[k] for k in ("completed", "awaiting_verification", "in_progress", "blocked")} == {
        k: figures_before[k] for k in ("completed", "awaiting_verification", "in_progress", "blocked")}
