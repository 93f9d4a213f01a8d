"""考核 scores through the running reporting service: a measure, assignment-updated events (a return, a closing
out with its report) and an overdue alert go through the real broker into reporting's own database; /v1/scores
ranks the units and regions, /v1/scores/units/{unit} traces each line to its events; a rules file changed and
changed back re-scores the same events, back to the first scores, each content recorded at /v1/scores/rules."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from cli.main import main
from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.contracts import AlertRaised, AssignmentUpdated, MeasureCreated
from shared.domain.calendar import today_in_china
from shared.kafka.broker import publish_event
from tests.support.apps import running, serving
from tests.support.kafka import consumer_lag
from tests.support.waiting import eventually

TODAY = today_in_china()
YEAR = TODAY.year
PLAN = "plan-scores"
RULES_A = f"""base_points: 100
plans:
  {PLAN}:
    indicator_deductions: {{未出庭应诉案件数: 2}}
"""
RULES_B = "base_points: 90\ndefaults: {closed_out_on_time: 5, overdue: 4}\n"
RATE = {"text": "出庭应诉率达95%以上", "indicator": "出庭应诉率", "comparator": ">=", "value": 95, "unit": "%",
        "kind": "rate"}


def state(unit: str, region_code: str, revision: int, **fields) -> dict:
    return {"measure_id": "m1", "unit": unit, "unit_name": f"{unit}单位", "role": "lead", "region_code": region_code,
            "revision": revision, **fields}


def events(now: datetime) -> list[tuple[str, object, str]]:
    """(topic name, event, key): the measure (its reporting starting today: no period due yet), u1 returned once
    then closed out with a report (rate 90 < 95, 2 cases not attended), u2 overdue."""
    measure = MeasureCreated(id="mc-1", source="test", time=now, data={
        "measure_id": "m1", "plan_id": PLAN, "region_code": "361000", "number": 1, "title": "出庭应诉",
        "lead_units": ["u1", "u2"], "start_date": TODAY, "targets": [RATE]})
    report = {"status": "completed", "percent_complete": 100, "period": str(YEAR), "reported_at": now
              - timedelta(minutes=30), "report_event_id": "r-1", "periods_reported": [str(YEAR)],
              "indicator_values": {"出庭应诉率": 90, "未出庭应诉案件数": 2}}
    updates = [
        AssignmentUpdated(id="m1|u1#1", source="test", time=now - timedelta(minutes=50), data=state("u1", "361002", 1)),
        AssignmentUpdated(id="m1|u1#2", source="test", time=now - timedelta(minutes=40),
                          data=state("u1", "361002", 2, loop_state="in_progress", returned_count=1)),
        AssignmentUpdated(id="m1|u1#3", source="test", time=now - timedelta(minutes=20), data=state(
            "u1", "361002", 3, loop_state="closed_out", returned_count=1, closed_out_at=now - timedelta(minutes=20),
            **report)),
        AssignmentUpdated(id="m1|u2#1", source="test", time=now, data=state("u2", "361003", 1))]
    overdue = AlertRaised(id="ep-o.raised", source="test", time=now, data={
        "key": "overdue|m1|u2|", "episode": "ep-o", "kind": "overdue", "severity": "warning", "measure_id": "m1",
        "unit": "u2", "unit_name": "u2单位", "region_code": "361003", "reason": "逾期", "figures": {},
        "opened_at": now - timedelta(minutes=10), "as_of": TODAY.isoformat()})
    return [("measure_created", measure, "m1"), *(("assignment_updated", e, e.data.key) for e in updates),
            ("alert_raised", overdue, overdue.data.key)]


async def scored(settings: ReportingSettings, topics) -> tuple[dict, dict, dict]:
    """The ranking, u1's lines and the rules' versions, once reporting has applied every event published (its
    group has committed them all: the topics are consumed in parallel, so no one event is the last applied)."""
    async with running(create_app(settings)) as http:
        async def every_event_applied() -> bool:
            return await consumer_lag(settings.kafka_bootstrap_servers, settings.reporting_consumer_group, (
                topics.measure_created, topics.assignment_updated, topics.alert_raised)) == 0

        await eventually(every_event_applied, timeout=60, interval=0.5)
        ranking = (await http.get("/v1/scores", params={"year": YEAR, "region_code": "361000"})).json()
        unit = (await http.get("/v1/scores/units/u1", params={"year": YEAR})).json()
        return ranking, unit, (await http.get("/v1/scores/rules")).json()


async def test_scores_follow_the_events_and_a_rule_change_rescores_them_identically(
        settings_values, database, publisher, topics, tmp_path: Path):
    rules = tmp_path / "scoring.yaml"
    rules.write_text(RULES_A, encoding="utf-8")
    settings = ReportingSettings(**settings_values, scoring_rules_file=rules, snapshot_max_age_seconds=0,
                                 scores_max_age_seconds=0)
    for topic, event, key in events(datetime.now(UTC)):
        await publish_event(publisher, getattr(topics, topic), event, key)

    first, unit, versions = await scored(settings, topics)
    assert [(row["unit"], row["total"], row["rank"]) for row in first["unit_ranking"]] == [
        ("u2", 98.0, 1), ("u1", 96.0, 2)]
    assert [(row["region_code"], row["total"]) for row in first["regions"]] == [("361003", 98.0), ("361002", 96.0)]
    assert (first["total"], first["units"], first["year"]) == (97.0, 2, YEAR)
    lines = {line["rule"]: (line["points"], line["events"]) for line in unit["lines"]}
    assert lines == {"closed_out_on_time": (2.0, ["m1|u1#3"]), "returned_completion": (-1.0, ["m1|u1#2"]),
                     "unmet_rate_target": (-1.0, ["r-1"]), "indicator:未出庭应诉案件数": (-4.0, ["r-1"])}
    assert unit["total"] == 96.0 and unit["rules_version"] == first["rules_version"]
    assert versions["current"] == first["rules_version"] and len(versions["versions"]) == 1
    assert versions["versions"][0]["content"] == RULES_A

    rules.write_text(RULES_B, encoding="utf-8")
    changed, _, versions = await scored(settings, topics)
    assert [(row["unit"], row["total"]) for row in changed["unit_ranking"]] == [("u1", 93.0), ("u2", 86.0)]
    rules.write_text(RULES_A, encoding="utf-8")
    again, unit_again, versions = await scored(settings, topics)
    assert again == first and unit_again == unit
    assert [v["content"] for v in versions["versions"]] == [RULES_A, RULES_B, RULES_A]


async def test_bad_questions_are_answered_with_problem_documents(settings_values, database, capsys):
    app = create_app(ReportingSettings(**settings_values))
    with serving(app, lambda url: httpx.get(f"{url}/health").status_code == 200) as url:
        for path, params, status in (("/v1/scores", {"year": 1999}, 422), ("/v1/scores", {"year": YEAR + 1}, 422),
                                     ("/v1/scores", {"region_code": "36100"}, 422),
                                     ("/v1/scores/units/nobody", {"year": YEAR}, 404)):
            answer = await asyncio.to_thread(httpx.get, f"{url}{path}", params=params)
            assert answer.status_code == status, (path, params)
            assert answer.headers["content-type"] == "application/problem+json", (path, params)
            assert answer.json()["status"] == status
        # Every year or period route holds to one rule (domain/years.py), saying why in Chinese.
        for path, params, slug in (("/v1/scores", {"year": 1999}, "year-out-of-range"),
                                   ("/v1/reports/annual", {"region_code": "361000", "year": YEAR + 1},
                                    "year-not-begun"),
                                   ("/v1/reports/regions/361000/bulletin.docx", {"period": "1900-Q1"},
                                    "year-out-of-range"),
                                   ("/v1/reports/regions/361000/lights", {"year": 1999}, "year-out-of-range")):
            answer = await asyncio.to_thread(httpx.get, f"{url}{path}", params=params)
            assert (answer.status_code, answer.json()["type"]) == (422, f"/problems/{slug}"), (path, answer.text)
            assert "可查询 2000 年至" in answer.json()["detail"], answer.text
        # `duban report scores` prints the ranking (no units yet) and says what the service refused.
        await asyncio.to_thread(main, ["report", "scores", "--region", "361000", "--reporting", url])
        assert f"361000 {YEAR}: 0 个单位, 平均 —" in capsys.readouterr().out
        with pytest.raises(SystemExit, match="HTTP 404"):
            await asyncio.to_thread(main, ["report", "scores", "--unit", "nobody", "--reporting", url])
