"""Absurd and hostile input against the whole stack (issue 10 §4): four service processes on the real broker and
database. Each kind is replayed (through intake, and straight onto Kafka where intake would refuse it), then
every service must still answer its read routes with 200, and a later valid report must still become current."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.intake.domain.registry_file import DEMO_REGISTRY
from shared.contracts import ProgressReport, ProgressReported
from tests.support.streams import produce
from tests.support.waiting import eventually

MEASURE = {"measure_id": "absurd-1", "plan_id": "absurd", "region_code": "361000", "number": 1,
           "title": "推进行政复议体制改革", "responsible_units": ["临川区政府", "东乡区政府"],
           "start_date": "2026-01-01", "deadlines": [{"text": "2026年底前", "date": "2026-12-31"}],
           "targets": [{"text": "纠错率不低于5%", "indicator": "纠错率", "comparator": ">=", "value": 5}]}
UNIT_ID = "361002.government"


def report(percent: float, minutes_ago: float = 1, **change) -> dict:
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {"measure_id": MEASURE["measure_id"], "unit": "临川区政府", "region_code": "361002", "period": "2026",
            "percent_complete": percent, "status": "in_progress", "reported_at": at.isoformat(), **change}


@pytest.fixture(scope="module")
def stack(running_stack):
    return {**running_stack.urls, "bootstrap": running_stack.bootstrap, "topics": running_stack.topics}


def is_problem(response: httpx.Response, *statuses: int) -> bool:
    return response.status_code in statuses and response.headers["content-type"] == "application/problem+json"


async def current_percent(http: httpx.AsyncClient, tracker: str) -> float | None:
    measure = await http.get(f"{tracker}/v1/measures/{MEASURE['measure_id']}")
    if measure.status_code != 200:
        return None
    mine = [a for a in measure.json()["assignments"] if a["unit"] == UNIT_ID]
    return mine[0]["percent_complete"] if mine and mine[0]["reported_at"] else None


async def test_absurd_input_is_refused_or_isolated_and_every_service_keeps_answering(stack):
    intake, tracker, alerts, reporting = (stack[name] for name in ("intake", "tracker", "alerts", "reporting"))
    async with httpx.AsyncClient(timeout=30) as http:
        registry = await http.post(f"{intake}/v1/registry", files={"file": ("r.yaml", DEMO_REGISTRY.read_bytes())})
        assert registry.status_code == 202, registry.text
        assert (await http.post(f"{intake}/v1/measures", json=MEASURE)).status_code == 202
        first = await http.post(f"{intake}/v1/progress", json=report(20, minutes_ago=30))
        assert first.status_code == 202, first.text
        await eventually(lambda: expect(current_percent(http, tracker), 20), timeout=60)

        # Through intake: each refused with a problem document naming what is wrong, nothing published.
        refused = {
            "year 9999": report(99, reported_at="9999-12-31T23:59:59+08:00"),
            "year 1": report(99, reported_at="0001-01-01T00:00:00Z"),
            "future period": report(99, period="2099-Q1"),
            "unknown measure": report(99, measure_id="no-such-measure"),
            "unit typo": report(99, unit="临川区政付"),
            "control character": report(99, unit="临川区政府\u0000"),
            "invisible character": report(99, unit="临川\u200b区政府"),
            "another region's unit": report(99, unit="东乡区政府"),
            "narrative too long": report(99, narrative="进" * 30_000),
            "too much evidence": report(99, evidence=["https://example.org/e.pdf"] * 51),
            "figure as text": report(99, indicator_values={"纠错率": "6"}),
            "percent as text": report(99, percent_complete="99"),
        }
        for case, body in refused.items():
            answer = await http.post(f"{intake}/v1/progress", json=body)
            assert is_problem(answer, 422), (case, answer.status_code, answer.text)
        raw = {
            "NaN": json.dumps(report(99, indicator_values={"纠错率": float("nan")})).encode(),
            "Infinity": json.dumps(report(99, indicator_values={"纠错率": float("inf")})).encode(),
            "huge float": json.dumps(report(99)).replace('"percent_complete": 99', '"percent_complete": 1e999')
            .encode(),
            "malformed": b'{"measure_id": ',
            "garbage bytes": b"\xff\xfe\x00\x01",
            "lone surrogate in a name": json.dumps(report(99, unit="\ud800")).encode(),
        }
        for case, content in raw.items():
            answer = await http.post(f"{intake}/v1/progress", content=content,
                                     headers={"content-type": "application/json"})
            assert is_problem(answer, 422), (case, answer.status_code, answer.text)
        huge = await http.post(f"{intake}/v1/progress", json=report(99, narrative="进" * 400_000))
        assert is_problem(huge, 413), huge.text  # not 503 "retry later" from Kafka's record limit

        # Unusual but valid strings are accepted and stored as sent.
        # ASCII JSON: the emoji travels as the escaped pair \ud83d\ude00.
        odd_text = json.dumps(report(30, minutes_ago=20, narrative="\u202e右到左\u0000NUL \U0001F600"))
        odd = await http.post(f"{intake}/v1/progress", content=odd_text.encode(),
                              headers={"content-type": "application/json"})
        assert odd.status_code == 202, odd.text
        await eventually(lambda: expect(current_percent(http, tracker), 30), timeout=60)

        # Straight onto Kafka, past intake: the tracker dead-letters the times, keeps the phantom unit out.
        def event(**change) -> ProgressReported:
            return ProgressReported.wrap(ProgressReport.model_validate(report(99, **change)), source="/absurd")

        bypass = [event(reported_at="9999-12-31T23:59:59+08:00"), event(reported_at="0001-01-01T00:00:00Z"),
                  event(unit="临川区政付")]
        await produce(stack["bootstrap"], stack["topics"].progress_reported, bypass, lambda e: e.data.assignment_key)

        async def phantom_listed():
            names = {u["name"]: u for u in (await http.get(f"{tracker}/v1/unresolved-units")).json()}
            return names.get("临川区政付", {}).get("reports") == 1

        await eventually(phantom_listed, timeout=60)
        measure = (await http.get(f"{tracker}/v1/measures/{MEASURE['measure_id']}")).json()
        assert "临川区政付" not in {a["unit"] for a in measure["assignments"]}  # no phantom assignment counted

        # Query parameters and dates at their extremes: 4xx problems, never a 500 or plain text.
        extremes = [
            f"{alerts}/v1/alerts?as_of=9999-12-31", f"{alerts}/v1/alerts?as_of=0001-01-01",
            f"{alerts}/v1/alerts?limit={10**12}", f"{alerts}/v1/alerts?offset=-1",
            f"{alerts}/v1/alerts/overdue?as_of=9999-12-31", f"{alerts}/v1/alerts?region_code=999999",
            f"{alerts}/v1/alerts?unit=%00%ED%A0%80", f"{alerts}/v1/alerts/units?region_code=999999",
            f"{reporting}/v1/reports/regions/361000?as_of=9999-12-31",
            f"{reporting}/v1/reports/regions/361000?as_of=0001-01-01",
            f"{reporting}/v1/reports/regions/999999", f"{reporting}/v1/reports/regions/361000/as-of/9999-12-31",
            f"{reporting}/v1/reports/regions/361000/history?since=2000-01-01",
            f"{reporting}/v1/reports/regions/361000/alerts?limit={10**12}",
            f"{reporting}/v1/reports/regions/361000/units/no-such-unit",
            f"{reporting}/v1/reports/measures/no-such-measure",
            f"{reporting}/v1/reports/annual?region_code=361000&year=9999",
            f"{tracker}/v1/measures/no-such-measure", f"{tracker}/v1/regions/999999",
            f"{tracker}/v1/measures/{MEASURE['measure_id']}/units/no-such-unit/reports",
        ]
        for url in extremes:
            answer = await http.get(url)
            assert is_problem(answer, 404, 422), (url, answer.status_code, answer.text[:200])

        # An operator withdraws a report that got in: the previous one becomes current again.
        latest = await http.post(f"{intake}/v1/progress", json=report(55, minutes_ago=5))
        await eventually(lambda: expect(current_percent(http, tracker), 55), timeout=60)
        withdrawn = await http.post(f"{intake}/v1/progress/{latest.json()['event_id']}:withdraw", json={
            "measure_id": MEASURE["measure_id"], "unit": "临川区政府", "region_code": "361002", "period": "2026",
            "reason": "数据填报错误", "by": "市依法治市办"})
        assert withdrawn.status_code == 202, withdrawn.text
        await eventually(lambda: expect(current_percent(http, tracker), 30), timeout=60)

        # Every service still answers its read routes, and the alerts sweep still runs.
        assert (await http.post(f"{alerts}/v1/alerts:sweep")).status_code == 200
        for url in [f"{tracker}/v1/measures/{MEASURE['measure_id']}", f"{tracker}/v1/unresolved-units",
                    f"{tracker}/v1/measures/{MEASURE['measure_id']}/units/{UNIT_ID}/reports",
                    f"{alerts}/v1/alerts", f"{alerts}/v1/alerts/units", f"{alerts}/v1/alerts/overdue",
                    f"{reporting}/v1/reports/regions/361000", f"{reporting}/v1/reports/regions/361000/units",
                    f"{reporting}/v1/reports/regions/361000/history",
                    *(f"{stack[name]}/health" for name in ("intake", "tracker", "alerts", "reporting"))]:
            answer = await http.get(url)
            assert answer.status_code == 200, (url, answer.status_code, answer.text[:200])

        # A later valid report still becomes current.
        assert (await http.post(f"{intake}/v1/progress", json=report(65, minutes_ago=0))).status_code == 202
        await eventually(lambda: expect(current_percent(http, tracker), 65), timeout=60)


async def expect(value, wanted) -> bool:
    return await value == wanted
