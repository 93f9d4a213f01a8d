"""The whole stack through its public interfaces: four service processes on the real broker and database."""

import httpx
import pytest

from deploy.demo.load import load_demo
from deploy.local.stack import LocalStack
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    namespace = tmp_path_factory.mktemp("e2e").name.replace("-", "")[:20]
    local = LocalStack(tmp_path_factory.mktemp("services"), default_ports=False, tie_to_parent=True)
    try:
        yield local.start_services(infrastructure, topic_prefix=f"{namespace}.", mongodb_database=namespace)
    finally:
        local.stop()


async def test_a_report_posted_to_intake_is_read_back_from_the_tracker_and_the_reports(stack):
    loaded = load_demo(stack["intake"])
    async with httpx.AsyncClient(timeout=10) as http:
        async def linchuan_reported():
            response = await http.get(f"{stack['tracker']}/v1/measures/fuzhou-2022-17")
            if response.status_code != 200:
                return None
            return next((a for a in response.json()["assignments"]
                         if a["unit"] == "临川区政府" and a["reported_at"]), None)

        assignment = await eventually(linchuan_reported)
        assert (assignment["status"], assignment["percent_complete"]) == ("in_progress", 80)
        assert assignment["indicator_values"] == {"行政机关负责人出庭应诉率": 96.5}

        async def all_reports_counted():
            figures = (await http.get(f"{stack['reporting']}/v1/reports/regions/361000")).json()
            reported = figures["completed"] + figures["in_progress"] + figures["blocked"]
            return figures if reported == loaded["progress_reports"] else None

        figures = await eventually(all_reports_counted)
        assert figures["assignments"] == 22 and figures["completed"] == 3 and figures["blocked"] == 1

        county = (await http.get(f"{stack['reporting']}/v1/reports/regions/361002")).json()
        assert (county["assignments"], county["completed"]) == (2, 1)  # 临川区's two reports

        overdue = (await http.get(f"{stack['alerts']}/v1/alerts/overdue",
                                   params={"region_code": "361000", "as_of": "2026-11-22"})).json()
        assert {row["measure_id"] for row in overdue} == {"fuzhou-2022-04", "fuzhou-2022-11", "fuzhou-2022-16",
                                                          "fuzhou-2022-20"}
        assert not any(row["status"] == "completed" for row in overdue)

        dashboard = await http.get(f"{stack['reporting']}/")
        assert dashboard.status_code == 200 and "法治政府建设" in dashboard.text

        refused = await http.post(f"{stack['intake']}/v1/progress", json={"measure_id": "x"})
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
